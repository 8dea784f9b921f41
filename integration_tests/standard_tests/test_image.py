"""Airbyte's standard tests (airbyte_cdk.test.standard_tests) against this connector's Docker image.

`airbyte-cdk connector test` picks its suite from metadata.yaml's `language:` tag and refuses
`language:typescript`, so this module subclasses the CDK's image suite directly. It runs `spec`, `check` and
`read` in the image given with `--connector-image` (or builds one from metadata.yaml without it), against the
workspace in secrets/config.json. How to run it: docs/acceptance-tests.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from boltons.typeutils import classproperty

from airbyte_cdk.test.standard_tests.docker_base import DockerConnectorTestSuite

HERE = Path(__file__).resolve().parent
# The repository root: metadata.yaml, and the base of every config_path in scenarios.yml.
CONNECTOR_ROOT = HERE.parents[1]


class TestSourceCustomerIoImage(DockerConnectorTestSuite):
    """test_docker_image_build_and_spec, _check and _read, one run per scenario in scenarios.yml."""

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        # The CDK would stop at integration_tests/, which holds the older acceptance-test-config.yml.
        return CONNECTOR_ROOT

    @classproperty
    def acceptance_test_config(cls) -> Any:
        # The same shape as acceptance-test-config.yml, without the empty_streams that the image read test
        # cannot take (see scenarios.yml).
        return yaml.safe_load((HERE / "scenarios.yml").read_text(encoding="utf-8"))
