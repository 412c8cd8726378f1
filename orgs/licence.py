"""The licence of the directory's open data, stated wherever the data leaves it:
the Data page, the API (a Link header and the OpenAPI document), the exports and
the snapshot."""

NAME = "CC BY 4.0"
SPDX = "CC-BY-4.0"
URL = "https://creativecommons.org/licenses/by/4.0/"
TITLE = "Mali CSO Directory"


def with_licence(response):
    """The response, with its licence in a Link header (RFC 8288, rel="license")."""
    response["Link"] = f'<{URL}>; rel="license"'
    return response
