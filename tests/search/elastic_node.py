"""A transport node for tests only: lets the Elasticsearch 8 client talk to the
OpenSearch-compatible test engine, which knows neither the vendored media type nor the product
header. Production code talks to Elasticsearch with the client's own node class."""

from elastic_transport import Urllib3HttpNode

VENDORED = "application/vnd.elasticsearch+"


class OpenSearchCompatibleNode(Urllib3HttpNode):
    def perform_request(self, method, target, body=None, headers=None, request_timeout=None):
        if headers:
            headers = headers.copy()
            for name in ("content-type", "accept"):
                for key in [k for k in headers if k.lower() == name]:
                    value = headers[key]
                    if value.startswith(VENDORED):
                        # …+x-ndjson; compatible-with=8 → application/x-ndjson
                        headers[key] = "application/" + value[len(VENDORED) :].split(";")[0]
        response = super().perform_request(
            method, target, body=body, headers=headers, request_timeout=request_timeout
        )
        response.meta.headers["X-Elastic-Product"] = "Elasticsearch"
        return response
