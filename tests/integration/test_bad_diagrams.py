"""Any file a process owner uploads either deploys or is refused with a clear message: never a
server error, and nothing already deployed changes. Files in the styles of the usual modelling
tools and in the style of the BPMN MIWG reference models, hostile XML, and random mutations of
good diagrams, through the API on both databases. The MIWG reference models themselves are
checked by ``tests/conformance/``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.config import PROJECT_ROOT
from engine.core.db import Database
from tests.support.api import API, Api
from tests.support.editing import OWNER, deployed, upload
from tests.support.files import FIXTURES
from tests.support.procedure import prepare
from tests.support.web import form_token, make_app, sign_in

CORPUS = FIXTURES / "bpmn_corpus"
SHIPPED = (PROJECT_ROOT / "workflows" / "community_trigger_application.bpmn").read_bytes()
CAMUNDA = (CORPUS / "camunda_modeler.bpmn").read_bytes()
# What each file of the corpus comes to: deployed, or refused with these words.
EXPECTED = {
    "camunda_modeler.bpmn": None,
    "xinclude.bpmn": None,  # XInclude is never processed: the element is left as it is
    "signavio.bpmn": 'exactly one executable process (isExecutable="true"); found none',
    "bizagi.bpmn": "is in lane 'Tenancy officer', which is not a participant role",
    "adonis.bpmn": "names no form",
    "miwg_collaboration.bpmn": "is in lane 'First line', which is not a participant role",
    "billion_laughs.bpmn": "declares a DOCTYPE or entities",
    "external_entity.bpmn": "declares a DOCTYPE or entities",
    "unsafe_script.bpmn": "attribute access",
    "empty.bpmn": "the file is empty",
    "not_xml.bpmn": "not well-formed XML",
    "binary.bpmn": "not well-formed XML",
    "truncated.bpmn": "not well-formed XML",
    "wrong_root.bpmn": "not a BPMN 2.0 diagram",
}


@pytest.fixture
def owner_db(app_db: Database) -> Database:
    return prepare(app_db)


@pytest.fixture
def client(owner_db: Database, tmp_path: Path) -> FlaskClient:
    return make_app(owner_db, tmp_path).test_client()


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client, client.get(f"{API}/openapi.json").get_json())


def test_the_corpus_lists_every_fixture() -> None:
    assert {path.name for path in CORPUS.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_deploys_or_is_refused_clearly(api: Api, owner_db: Database, name: str) -> None:
    content = (CORPUS / name).read_bytes()
    before = deployed(owner_db)
    checked = upload(api, content, "/process-definitions/validate").get_json()
    response = upload(api, content)
    words = EXPECTED[name]
    if words is None:
        assert checked["valid"] is True
        assert response.status_code == 201
        assert deployed(owner_db)[: len(before)] == before
        assert len(deployed(owner_db)) == len(before) + 1
    else:
        assert checked["valid"] is False
        assert any(words in error["message"] for error in checked["errors"]), checked
        assert response.status_code == 422
        assert words in response.get_json()["error"]
        assert deployed(owner_db) == before


def test_several_megabytes_deploy_and_beyond_the_limit_are_refused(
    api: Api, owner_db: Database, client: FlaskClient
) -> None:
    # A real diagram carrying several megabytes of notes still deploys.
    padding = b"<!-- " + b"notes " * (3 * 1024 * 1024 // 6) + b"-->"
    large = CAMUNDA.replace(b"<bpmn:collaboration", padding + b"<bpmn:collaboration", 1)
    assert len(large) > 3 * 1024 * 1024
    assert upload(api, large).status_code == 201

    before = deployed(owner_db)
    too_large = CAMUNDA + b" " * (10 * 1024 * 1024)
    response = upload(api, too_large)
    assert response.status_code == 413
    assert "larger than 10 MB" in response.get_json()["error"]
    assert deployed(owner_db) == before

    sign_in(client, OWNER)
    page = client.post(
        "/procedure/upload",
        data={
            "csrf_token": form_token(client, "/procedure"),
            "file": (io.BytesIO(too_large), "big.bpmn"),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 413 and b"smaller than 10 MB" in page.data
    assert deployed(owner_db) == before


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"<a>" * 5000 + b"</a>" * 5000, "not well-formed XML"),
        (CAMUNDA.decode().replace("UTF-8", "UTF-16").encode("utf-16"), "not UTF-8"),
        (b"\xef\xbb\xbf" + b"   \n\t ", "not well-formed XML"),
        (b"   \n\t ", "the file is empty"),
        (
            CAMUNDA.replace(b'id="camunda_style_review"', b'id="' + b"p" * 200 + b'"').replace(
                b'processRef="camunda_style_review"', b'processRef="' + b"p" * 200 + b'"'
            ),
            "longer than 100 characters",
        ),
        (
            CAMUNDA.replace(b'name="Acknowledge"', b'name="' + b"Acknowledge " * 30 + b'"'),
            "Activity_acknowledge: the name is longer than 300 characters",
        ),
    ],
    ids=[
        "deep nesting",
        "utf-16",
        "byte order mark only",
        "blank",
        "long process id",
        "long task name",
    ],
)
def test_hostile_or_odd_files_are_refused_clearly(
    api: Api, owner_db: Database, content: bytes, words: str
) -> None:
    before = deployed(owner_db)
    response = upload(api, content)
    assert response.status_code == 422
    assert words in response.get_json()["error"]
    assert deployed(owner_db) == before


TOKENS = [
    b"<",
    b">",
    b"&",
    b'"',
    b"</bpmn:process>",
    b"<bpmn:task/>",
    b'<bpmn:lane id="x" name="sales"/>',
    b"<!DOCTYPE x>",
    b'isExecutable="false"',
    b"\x00",
    "\u00e9".encode(),
    b"\xff\xfe",
    b"__import__('os')",
    b'<spiffworkflow:property name="due" value="soon"/>',
]


@st.composite
def mutated_diagrams(draw: st.DrawFn) -> bytes:
    content = bytearray(draw(st.sampled_from([CAMUNDA, SHIPPED])))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(content)))
        end = min(len(content), start + draw(st.integers(0, 200)))
        kind = draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        if kind == "delete":
            del content[start:end]
        elif kind == "insert":
            content[start:start] = draw(st.sampled_from(TOKENS) | st.binary(max_size=20))
        elif kind == "replace":
            content[start:end] = draw(st.sampled_from(TOKENS))
        else:
            content[start:start] = content[start:end]
    return bytes(content)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=mutated_diagrams())
def test_mutated_diagrams_deploy_or_are_refused_never_a_server_error(
    api: Api, owner_db: Database, content: bytes
) -> None:
    before = deployed(owner_db)
    checked = upload(api, content, "/process-definitions/validate")
    assert checked.status_code in (200, 413)
    response = upload(api, content)
    assert response.status_code in (200, 201, 400, 413, 422)
    if response.status_code in (200, 201):
        assert deployed(owner_db)[: len(before)] == before, "versions are never changed"
    else:
        assert response.get_json()["error"]
        assert deployed(owner_db) == before
