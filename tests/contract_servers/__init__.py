"""Contract servers: local stand-ins for QuickBooks Online, Xero and Procore on 127.0.0.1.

Each implements the subset of its system's API that docproc calls, with the real request and
response shapes, auth headers and error bodies, keeps its records in a SQLite file (so a
restarted server still has them) and can be scripted to fail. Counts in tests come from here.
"""
