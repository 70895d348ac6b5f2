"""Email intake: IMAP mailboxes polled for attachments, inbound-email webhooks, sender rules,
and the optional reply. Attachments become documents through the same store-and-queue path
as uploads; every received message is recorded once (Message-ID + UIDVALIDITY/UID).
"""
