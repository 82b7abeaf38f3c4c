"""The content repository: upload, and download by another user (issue 6)."""

import io
import os

from harness import Context, expect, require


async def upload_bytes(client, data: bytes, content_type: str, filename: str) -> str:
    response, _ = await client.upload(io.BytesIO(data), content_type=content_type,
                                      filename=filename, filesize=len(data))
    uri = require(response, "upload").content_uri
    expect(uri.startswith("mxc://localhost/"), f"content uri {uri}")
    return uri


async def media_upload(ctx: Context) -> None:
    client = await ctx.new_user("uploader")
    await upload_bytes(client, b"interop upload\n", "text/plain", "hello.txt")


async def media_download(ctx: Context) -> None:
    pair = await ctx.pair()
    data = os.urandom(70_000)  # binary, and larger than one read
    uri = await upload_bytes(pair.alice, data, "application/octet-stream", "random.bin")
    fetched = require(await pair.bob.download(uri), "download")
    expect(fetched.body == data, f"downloaded {len(fetched.body)} bytes, uploaded {len(data)}")
    expect(fetched.content_type.startswith("application/octet-stream"),
           f"content type {fetched.content_type}")


CHECKS = [
    ("media_upload", media_upload),
    ("media_download", media_download),
]
