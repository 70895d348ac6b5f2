"""`docproc extract` and `docproc schema` as CONTRACT.md's "The command line" describes them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.limits import Limits
from models import Envelope, ErrorCode
from service.cli import main, read_input
from tests.peak_memory import run_with_peak_rss
from tests.unit import bad_inputs

PROJECT = Path(__file__).resolve().parents[2]
MAX_RSS_MB = 300


def docproc(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed console script (or the module, if not installed) as a user would."""
    script = shutil.which("docproc", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "service.cli"]
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, cwd=PROJECT, timeout=120, check=False
    )


def envelopes(stdout: str) -> list[Envelope]:
    """Every stdout line parsed back against the contract model (so each must be valid JSON)."""
    return [Envelope.model_validate_json(line) for line in stdout.splitlines()]


def write(folder: Path, name: str, data: bytes) -> str:
    path = folder / name
    path.write_bytes(data)
    return str(path)


@pytest.fixture(scope="module")
def bad_input_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[str], subprocess.CompletedProcess[str]]:
    """One CLI call over every bad input of the issue, with a valid invoice in the middle."""
    folder = tmp_path_factory.mktemp("bad")
    inputs = [
        write(folder, "empty.pdf", b""),
        write(folder, "notes.pdf", bad_inputs.text_named_pdf()),
        write(folder, "truncated.pdf", bad_inputs.truncated_pdf()),
        write(folder, "invoice.pdf", bad_inputs.invoice_pdf()),
        write(folder, "encrypted.pdf", bad_inputs.encrypted_pdf()),
        write(folder, "3000-pages.pdf", bad_inputs.minimal_pdf(3000)),
        write(folder, "huge.png", bad_inputs.huge_png(20_000, 20_000)),
        write(folder, "archive.pdf", bad_inputs.zip_archive()),
        write(folder, "setup.pdf", bad_inputs.pe_executable()),
        str(folder / "does-not-exist.pdf"),
    ]
    return inputs, docproc("extract", *inputs)


def test_every_bad_input_gets_its_own_error_line_in_order(
    bad_input_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    inputs, run = bad_input_run
    results = envelopes(run.stdout)
    assert [result.source for result in results] == inputs
    codes = [result.error.code if result.error else None for result in results]
    assert codes == [
        ErrorCode.EMPTY_FILE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.CORRUPT_FILE,
        None,
        ErrorCode.ENCRYPTED_PDF,
        ErrorCode.TOO_MANY_PAGES,
        ErrorCode.IMAGE_TOO_LARGE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.UNREADABLE_FILE,
    ]


def test_an_error_line_has_every_other_field_null(
    bad_input_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    first = json.loads(bad_input_run[1].stdout.splitlines()[0])
    assert {key for key, value in first.items() if value is not None} == {
        "schema_version", "source", "error"
    }  # fmt: skip
    assert set(first["error"]) == {"code", "message"} and first["error"]["message"]


def test_the_valid_invoice_among_bad_inputs_is_still_extracted(
    bad_input_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    invoice = envelopes(bad_input_run[1].stdout)[3]
    assert invoice.error is None and invoice.document_type == "invoice"
    assert invoice.sha256 is not None and invoice.page_count == 1


def test_some_inputs_failing_exits_3(
    bad_input_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    assert bad_input_run[1].returncode == 3


def test_stdout_is_only_json_lines_and_logs_go_to_stderr(
    bad_input_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    _, run = bad_input_run
    for line in run.stdout.splitlines():
        assert isinstance(json.loads(line), dict)
    assert "empty.pdf" in run.stderr


def test_bad_inputs_are_handled_in_bounded_memory(
    bad_input_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    inputs, _ = bad_input_run
    script = shutil.which("docproc", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "service.cli"]
    run, peak_mb = run_with_peak_rss([*command, "extract", *inputs], cwd=PROJECT)
    assert run.returncode == 3
    assert peak_mb < MAX_RSS_MB


def test_an_owner_password_only_pdf_is_processed(tmp_path: Path) -> None:
    run = docproc("extract", write(tmp_path, "owner.pdf", bad_inputs.owner_only_pdf()))
    [result] = envelopes(run.stdout)
    assert (run.returncode, result.error, result.page_count) == (0, None, 1)


def test_a_directory_means_its_files_sorted_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("b.pdf", "a.pdf", "c-empty.pdf"):
        write(tmp_path, name, b"" if "empty" in name else bad_inputs.invoice_pdf())
    (tmp_path / "nested").mkdir()
    single = write(tmp_path.parent, f"{tmp_path.name}-single.pdf", bad_inputs.invoice_pdf())
    status = main(["extract", single, str(tmp_path)])
    sources = [Path(result.source).name for result in envelopes(capsys.readouterr().out)]
    assert sources == [Path(single).name, "a.pdf", "b.pdf", "c-empty.pdf"]
    assert status == 3


def test_every_input_producing_a_result_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["extract", write(tmp_path, "scan.pdf", bad_inputs.blank_pdf())]) == 0
    [result] = envelopes(capsys.readouterr().out)
    assert result.needs_review is True


@pytest.mark.parametrize(
    "args",
    [[], ["extract"], ["frobnicate", "x.pdf"], ["extract", "--nope"],
     ["extract", "--review-threshold", "1.5", "x.pdf"]],
)  # fmt: skip
def test_a_usage_error_exits_2_with_nothing_on_stdout(args: list[str]) -> None:
    run = docproc(*args)
    assert (run.returncode, run.stdout) == (2, "")
    assert "usage:" in run.stderr


def test_a_file_over_the_byte_limit_is_too_large_without_reading_it(tmp_path: Path) -> None:
    path = Path(write(tmp_path, "big.pdf", b"%PDF-1.7\n" + b"0" * 5000))
    result = read_input(path, Limits(max_bytes=1000))
    assert isinstance(result, Envelope) and result.error is not None
    assert result.error.code is ErrorCode.TOO_LARGE


def test_a_file_within_the_byte_limit_is_read_whole(tmp_path: Path) -> None:
    data = bad_inputs.invoice_pdf()
    assert read_input(Path(write(tmp_path, "ok.pdf", data)), Limits()) == data


def test_schema_prints_the_json_schema_of_a_result_line() -> None:
    run = docproc("schema")
    schema = json.loads(run.stdout)
    assert run.returncode == 0
    assert schema["type"] == "object" and schema["title"] == "Envelope"
    assert set(Envelope.model_fields) <= set(schema["properties"])
    assert schema == Envelope.model_json_schema(mode="serialization")


def test_every_extract_line_validates_against_the_printed_schema(
    bad_input_run: tuple[list[str], subprocess.CompletedProcess[str]],
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(docproc("schema").stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    for line in bad_input_run[1].stdout.splitlines():
        jsonschema.validate(json.loads(line), schema)


def test_schema_does_not_load_pymupdf() -> None:
    code = "import sys; from service.cli import main; main(['schema']); print(sys.modules.keys())"
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT, check=True
    )
    loaded = run.stdout.splitlines()[-1]
    assert "pymupdf" not in loaded and "fitz" not in loaded


def test_printing_inside_the_pipeline_cannot_corrupt_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import extractors.pipeline

    def chatty_classify(pages: object) -> str:
        print("MuPDF warning: something odd")
        return "unknown"

    monkeypatch.setattr(extractors.pipeline, "classify_document", chatty_classify)
    main(["extract", write(tmp_path, "a.pdf", bad_inputs.invoice_pdf())])
    captured = capsys.readouterr()
    [result] = envelopes(captured.out)
    assert result.error is None and "MuPDF warning" in captured.err
