"""A contract server for the LLM tier: the OpenAI chat-completions wire format on 127.0.0.1.

`POST /v1/chat/completions` answers from a per-test script: tool calls (instructor's TOOLS
mode) or JSON content (JSON modes), with usage counts; errors shaped like OpenAI's
(`{"error": {"message", "type", "code", "param"}}`) with any headers (`Retry-After`); delays
(for client timeouts). Every request body is recorded, so a test counts requests and reads
the JSON schema it was sent. The real openai and instructor code talks to it; nothing is
patched.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

Body = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """One scripted answer: arguments (or raw text), or an error status, after a delay."""

    arguments: dict[str, Any] | None = None
    raw: str | None = None
    status: int = 200
    error_type: str = "server_error"
    error_code: str | None = None
    message: str = "scripted error"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    prompt_tokens: int = 1200
    completion_tokens: int = 60


def error(status: int, message: str, error_type: str, code: str | None = None,
          headers: dict[str, str] | None = None) -> Reply:  # fmt: skip
    """An OpenAI-shaped error reply."""
    return Reply(status=status, error_type=error_type, error_code=code, message=message,
                 headers=headers or {})  # fmt: skip


def rate_limited(retry_after_s: int) -> Reply:
    """A 429 with `Retry-After`."""
    return error(429, "Rate limit reached", "rate_limit_error", "rate_limit_exceeded",
                 {"retry-after": str(retry_after_s)})  # fmt: skip


def tool_name(body: Body) -> str | None:
    """The function instructor asked to be called (TOOLS mode), if any."""
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        return str(choice.get("function", {}).get("name"))
    tools = body.get("tools") or []
    return str(tools[0]["function"]["name"]) if tools else None


def requested_schema(body: Body) -> dict[str, Any]:
    """The JSON schema of the response model a request carried (tool parameters)."""
    tools = body.get("tools") or []
    if tools:
        schema: dict[str, Any] = tools[0]["function"]["parameters"]
        return schema
    fmt = body.get("response_format") or {}
    found: dict[str, Any] = fmt.get("json_schema", {}).get("schema", {})
    return found


def requested_fields(body: Body) -> set[str]:
    """The property names the request's schema asks for."""
    return set(requested_schema(body).get("properties", {}))


def prompt_text(body: Body) -> str:
    """Every text part of a request's messages, joined."""
    parts: list[str] = []
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [str(p.get("text", "")) for p in content if p.get("type") == "text"]
    return "\n".join(parts)


def _completion(body: Body, reply: Reply) -> Body:
    text = reply.raw if reply.raw is not None else json.dumps(reply.arguments or {})
    name = tool_name(body)
    message: Body = {"role": "assistant", "content": None}
    finish = "tool_calls"
    if name is not None:
        call = {"id": "call_1", "type": "function", "function": {"name": name, "arguments": text}}
        message["tool_calls"] = [call]
    else:
        message["content"] = text
        finish = "stop"
    usage = {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model", "test-model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage,
    }  # fmt: skip


class LlmServer:
    """The scripted server: queue replies, or set a responder for every request."""

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.responder: Callable[[Body], Reply] | None = None
        self.requests: list[Body] = []
        self._lock = threading.Lock()
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._complete)

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order."""
        self.replies.extend(replies)

    @property
    def count(self) -> int:
        """How many requests arrived."""
        return len(self.requests)

    def _next(self, body: Body) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return error(500, "no scripted reply left", "server_error")

    async def _complete(self, request: Request) -> JSONResponse:
        body: Body = await request.json()
        reply = self._next(body)
        if reply.delay_s:
            await asyncio.sleep(reply.delay_s)
        if reply.status != 200:
            payload = {"error": {"message": reply.message, "type": reply.error_type,
                                 "code": reply.error_code, "param": None}}  # fmt: skip
            return JSONResponse(payload, status_code=reply.status, headers=reply.headers)
        return JSONResponse(_completion(body, reply), headers=reply.headers)
