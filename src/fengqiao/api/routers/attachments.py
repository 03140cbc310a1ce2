"""/cases/{id}/attachments: add a photo or document to a case, or fetch one, under the
case's access rules."""

from django.http import FileResponse, Http404
from ninja import Path, Router, Status

from fengqiao.audit.log import record
from fengqiao.cases import actions
from fengqiao.cases.access import get_case_for_user_or_404
from fengqiao.cases.errors import CaseError, ErrorCode
from fengqiao.cases.models import Attachment

from .. import present
from ..errors import ApiError
from ..lookups import FieldErrors
from ..schemas import AttachmentAddIn, AttachmentIn, AttachmentOut, Id
from .cases import ERRORS, decoded

router = Router(tags=["附件"])


@router.post(
    "/cases/{case_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="为事项补充附件",
    description="multipart/form-data 的 `file`（推荐），或 JSON `{name, content_base64}`。",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            }
        }
    },
)
def add_attachment(request, case_id: Path[Id], payload: AttachmentAddIn = None):
    user = request.auth
    case = get_case_for_user_or_404(user, case_id)
    upload = request.FILES.get("file")
    if upload is None and payload is not None and payload.content_base64:
        errors = FieldErrors()
        part = AttachmentIn(name=payload.name or "附件", content_base64=payload.content_base64)
        files = decoded(part, "file", errors)
        errors.raise_if_any()
        upload = files[0]
    if upload is None:
        raise ApiError("invalid", "请上传附件。", field="file")
    try:
        row = actions.add_attachment(actor=user, case=case, upload=upload)
    except CaseError as exc:
        if exc.code in {ErrorCode.ATTACHMENT_SIZE, ErrorCode.ATTACHMENT_TYPE}:
            exc.field = "file"
        raise
    return Status(201, present.attachment_of(row))


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="下载附件",
    openapi_extra={
        "responses": {
            "200": {
                "description": "附件内容",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_attachment(request, case_id: Path[Id], attachment_id: Path[Id]):
    user = request.auth
    case = get_case_for_user_or_404(user, case_id)
    row = Attachment.objects.filter(case=case, pk=attachment_id).first()
    if row is None:
        raise Http404
    record("case.attachment_view", actor=user, area=case.area, obj=row)
    response = FileResponse(
        row.file.open("rb"), content_type=row.content_type, as_attachment=True, filename=row.name
    )
    response["Cache-Control"] = "private, no-store"
    return response
