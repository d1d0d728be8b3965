"""The Zalo stand-in's uploads (image, file) and ZNS template endpoint."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

IMAGE_LIMIT = 1_000_000  # upload/image: images up to 1 MB
FILE_LIMIT = 5_000_000  # not in zalo-facts; an assumption for the file upload


class ZaloMediaEndpoints:
    """Uploads and ZNS for the Zalo stand-in (it provides calls, tokens, uploads, ids)."""

    calls: list[Any]
    access_token: str
    uploads: dict[str, tuple[str, bytes]]
    refused_file_types: set[str]
    zns_templates: dict[str, set[str]]
    _ids: Any

    def call(self, path: str, params: dict[str, Any], headers: dict[str, str]) -> Any:
        """Record one call (the stand-in's own Call type)."""
        raise NotImplementedError

    def _known(self, attachment: dict[str, Any]) -> bool:
        """Return whether an attachment is buttons or refers to a file uploaded here."""
        payload = attachment.get("payload", {})
        if attachment.get("type") == "file":
            return payload.get("token") in self.uploads
        if payload.get("template_type") == "media":
            return all(e.get("attachment_id") in self.uploads for e in payload["elements"])
        return "buttons" in payload

    async def _upload(self, request: Request, path: str, key: str, limit: int) -> JSONResponse:
        async with request.form() as form:
            upload = form["file"]
            assert not isinstance(upload, str)
            data = await upload.read()
            name = upload.filename or ""
        self.call(path, {"filename": name, "size": len(data)}, {})
        if request.headers.get("access_token") != self.access_token:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        if len(data) > limit or any(name.endswith(t) for t in self.refused_file_types):
            return JSONResponse({"error": -201, "message": "file is invalid"})
        uploaded = f"{key}{next(self._ids)}"
        self.uploads[uploaded] = (name, data)
        return JSONResponse({"data": {key: uploaded}, "error": 0, "message": "Success"})

    async def _upload_image(self, request: Request) -> JSONResponse:
        return await self._upload(request, "upload_image", "attachment_id", IMAGE_LIMIT)

    async def _upload_file(self, request: Request) -> JSONResponse:
        # Not in zalo-facts (which documents only the image upload): the file upload is
        # modelled on the image one, answering a `token` that a `file` attachment carries.
        return await self._upload(request, "upload_file", "token", FILE_LIMIT)

    async def _zns(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.call("zns", body, {"access_token": request.headers.get("access_token", "")})
        if request.headers.get("access_token") != self.access_token:
            return JSONResponse({"error": -216, "message": "Access token is invalid"})
        wanted = self.zns_templates.get(str(body.get("template_id")))
        phone = str(body.get("phone", ""))
        if wanted is None:
            return JSONResponse({"error": -201, "message": "template_id is invalid"})
        if not (phone.startswith("84") and phone.isdigit() and len(phone) == 11):
            return JSONResponse({"error": -201, "message": "phone is invalid"})
        if set(body.get("template_data", {})) != wanted:
            return JSONResponse({"error": -201, "message": "template_data is invalid"})
        data = {"msg_id": f"zns{next(self._ids)}", "sent_time": "1"}
        return JSONResponse({"data": data, "error": 0, "message": "Success"})

    def zns_sent(self) -> list[dict[str, Any]]:
        """Return the ZNS requests made."""
        return [c.params for c in self.calls if c.path == "zns"]
