#!/usr/bin/env python3
"""Seeds moto's server (tests/aws/moto_server.py) with a CloudFront account for
tests/it/aws_api.rs, through boto3 as any client would, and writes the same account exported
the way the AWS CLI prints it.

Usage: python3 tests/aws/seed.py ENDPOINT HTTPS_PORT HTTP_PORT OUT_DIR

ENDPOINT is moto's http://127.0.0.1:PORT. Every custom origin is named *.aws.test and listens
(or not) on HTTPS_PORT and HTTP_PORT: the test maps the names to loopback with --resolve.
Writes into OUT_DIR:
- list-distributions.json: `aws cloudfront list-distributions` (the CLI pages through with
  botocore's paginator and prints the whole list: build_full_result, as here);
- origin-request-policies.json: `aws cloudfront list-origin-request-policies`;
- cache-policies.json: `aws cloudfront list-cache-policies`.
The account: five distributions (two pages at moto's page size of 3), custom, S3 REST, S3
website and origin-group origins, Host forwarded by legacy ForwardedValues, by a managed origin
request policy (AllViewer), by a custom origin request policy and by a custom cache policy
(both in tests/aws/policies.json, which the server answers from), and not forwarded.
"""

import datetime
import json
import os
import sys

import boto3


def custom(origin_id, domain, https_port, http_port, policy="https-only", **extra):
    origin = {
        "Id": origin_id,
        "DomainName": domain,
        "OriginPath": "",
        "CustomHeaders": {"Quantity": 0},
        "CustomOriginConfig": {
            "HTTPPort": http_port,
            "HTTPSPort": https_port,
            "OriginProtocolPolicy": policy,
            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
            "OriginReadTimeout": 30,
            "OriginKeepaliveTimeout": 5,
        },
        "ConnectionAttempts": 1,
        "ConnectionTimeout": 2,
    }
    origin.update(extra)
    return origin


def behavior(target, path=None, host=False, orp=None, cp=None):
    value = {"TargetOriginId": target, "ViewerProtocolPolicy": "redirect-to-https"}
    if path is not None:
        value["PathPattern"] = path
    if orp or cp:
        if orp:
            value["OriginRequestPolicyId"] = orp
        value["CachePolicyId"] = cp or "658327ea-f89d-4fab-a63d-7e88639e58f6"
    else:
        headers = {"Quantity": 1, "Items": ["Host"]} if host else {"Quantity": 0}
        value["ForwardedValues"] = {
            "QueryString": False,
            "Cookies": {"Forward": "none"},
            "Headers": headers,
        }
        value["MinTTL"] = 0
    return value


def config(reference, aliases, origins, default, behaviors=(), groups=()):
    value = {
        "CallerReference": reference,
        "Comment": reference,
        "Enabled": True,
        "Aliases": {"Quantity": len(aliases), "Items": list(aliases)},
        "Origins": {"Quantity": len(origins), "Items": list(origins)},
        "DefaultCacheBehavior": default,
    }
    if behaviors:
        value["CacheBehaviors"] = {"Quantity": len(behaviors), "Items": list(behaviors)}
    if groups:
        value["OriginGroups"] = {"Quantity": len(groups), "Items": list(groups)}
    return value


def cli_json(value):
    """JSON as the AWS CLI prints it: timestamps in ISO 8601, 4-space indent."""

    def default(item):
        if isinstance(item, datetime.datetime):
            return item.isoformat()
        raise TypeError(repr(item))

    return json.dumps(value, indent=4, default=default) + "\n"


def main(argv):
    endpoint, https_port, http_port, out = argv[0], int(argv[1]), int(argv[2]), argv[3]
    client = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1")
    group = {
        "Id": "failover",
        "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [502, 504]}},
        "Members": {"Quantity": 2, "Items": [{"OriginId": "primary"}, {"OriginId": "secondary"}]},
    }
    accounts = [
        config(
            "shop",
            ["shop.example.test", "www.shop.example.test"],
            [custom("web", "web.aws.test", https_port, http_port)],
            behavior("web", host=True),
        ),
        config(
            "static",
            ["static.example.test"],
            [
                {
                    "Id": "bucket",
                    "DomainName": "assets-bucket.s3.amazonaws.com",
                    "OriginPath": "",
                    "S3OriginConfig": {"OriginAccessIdentity": ""},
                },
                custom(
                    "site",
                    "site.s3-website-us-east-1.amazonaws.com",
                    https_port,
                    http_port,
                    policy="http-only",
                ),
            ],
            behavior("bucket"),
            [behavior("site", path="/site/*")],
        ),
        config(
            "failover",
            ["app.example.test"],
            [
                custom("primary", "primary.aws.test", https_port, http_port),
                custom("secondary", "secondary.aws.test", https_port, http_port),
            ],
            behavior("primary", orp="216adef6-5c7f-47e4-b989-5492eafa07d3"),
            [behavior("failover", path="/app/*", orp="216adef6-5c7f-47e4-b989-5492eafa07d3")],
            [group],
        ),
        config(
            "api",
            ["api.example.test"],
            [
                custom("api", "api.aws.test", https_port, http_port),
                custom("legacy", "legacy.aws.test", https_port, http_port, policy="match-viewer"),
            ],
            behavior("api", cp="9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"),
            [behavior("legacy", path="/v1/*", orp="6f1c2a9e-8b4d-4c3a-9e7f-0a1b2c3d4e5f")],
        ),
        config(
            "plain",
            [],
            [custom("plain", "plain.aws.test", https_port, http_port)],
            behavior("plain"),
        ),
    ]
    for distribution in accounts:
        client.create_distribution(DistributionConfig=distribution)

    listing = client.get_paginator("list_distributions").paginate().build_full_result()
    orp = client.get_paginator("list_origin_request_policies").paginate().build_full_result() \
        if client.can_paginate("list_origin_request_policies") \
        else client.list_origin_request_policies()
    cp = client.list_cache_policies()
    for value in (listing, orp, cp):
        value.pop("ResponseMetadata", None)
    os.makedirs(out, exist_ok=True)
    for name, value in [
        ("list-distributions.json", listing),
        ("origin-request-policies.json", orp),
        ("cache-policies.json", cp),
    ]:
        with open(os.path.join(out, name), "w", encoding="utf-8") as handle:
            handle.write(cli_json(value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
