"""Request bodies: strict JSON, or a multipart form whose ``data`` part holds the JSON
(so that files can travel beside it)."""

import json

from ninja.parser import Parser

MULTIPART_DATA_FIELD = "data"


def _refuse_constant(name: str):
    raise ValueError(f"JSON 中不允许 {name}")


class StrictParser(Parser):
    def parse_body(self, request):
        if request.content_type == "multipart/form-data":
            raw = request.POST.get(MULTIPART_DATA_FIELD, "{}")
        else:
            raw = request.body
        data = json.loads(raw, parse_constant=_refuse_constant)
        if not isinstance(data, dict):
            raise ValueError("请求体须为 JSON 对象")
        return data
