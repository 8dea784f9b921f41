# The CDK's fixtures and command-line options (--connector-image, --read-from-streams, --read-scenarios).
# pytest.ini beside this file makes this the root conftest, so the options exist when pytest parses them.
pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]
