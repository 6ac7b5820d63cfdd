"""Turn every expected failure into a specific 4xx; only bugs become a 500."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from smarthis.errors import DomainError


def _is_page(request: Request) -> bool:
    return request.method == "GET" and not request.url.path.startswith(("/api/", "/health"))


_VALIDATION_MESSAGES_VI = {
    "missing": "thiếu trường bắt buộc",
    "json_invalid": "JSON không hợp lệ",
    "date_from_datetime_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "date_parsing": "ngày không hợp lệ (dạng YYYY-MM-DD)",
    "int_parsing": "phải là số nguyên",
    "string_too_long": "quá dài",
    "string_too_short": "quá ngắn",
    "extra_forbidden": "trường không được phép",
    "literal_error": "giá trị không thuộc danh sách cho phép",
    "bool_parsing": "phải là true hoặc false",
    "model_attributes_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "string_type": "phải là chuỗi ký tự",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
    "value_error": "giá trị không hợp lệ",
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse({"error": exc.as_dict()}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            location = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            kind = str(err.get("type", "value_error"))
            # A body that is not JSON at all has no field: name the body itself.
            field = "body" if kind == "json_invalid" else ".".join(location) or "request"
            problems.append(
                {
                    "field": field,
                    "code": kind,
                    "message": f"{field}: {_VALIDATION_MESSAGES_VI.get(kind, 'không hợp lệ')}",
                    "message_en": f"{field}: {err.get('msg', 'invalid')}",
                }
            )
        first = problems[0] if problems else {"field": None, "code": "invalid", "message": ""}
        body = {"error": {**first, "code": "invalid_request"}, "problems": problems}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 401 and _is_page(request):
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        detail = exc.detail
        if isinstance(detail, dict):
            error = {"field": None, **detail}
        else:
            error = {"code": f"http_{exc.status_code}", "field": None, "message": str(detail)}
        return JSONResponse({"error": error}, status_code=exc.status_code, headers=exc.headers)
