#!/usr/bin/env python3
"""moto's server (a double of the AWS API, https://github.com/getmoto/moto) for
tests/it/aws_api.rs, with what moto 5 lacks for `originscan scan --aws` added in process.

Usage: python3 tests/aws/moto_server.py PORT   (listens on 127.0.0.1:PORT only)

Patches, each to moto's own backend and response classes (the requests are still parsed and the
responses still written by moto from botocore's CloudFront model):

- ListDistributions: moto lists every distribution on one page and its summaries carry only the
  Id, ARN, Status and DomainName. Here the summaries carry the members of their config
  (Aliases, Origins, OriginGroups, behaviors, ...), an S3 origin its S3OriginConfig, and the
  listing is paged by MaxItems and Marker as CloudFront does (IsTruncated, NextMarker), with a
  page size of MOTO_CLOUDFRONT_PAGE_SIZE (default 100) when the request gives no MaxItems.
- ListOriginRequestPolicies and ListCachePolicies: moto has no policies at all (no create, get
  or list). Here both are answered from the file named by MOTO_CLOUDFRONT_POLICIES: the JSON
  `aws cloudfront list-origin-request-policies` and `list-cache-policies` print, in one object
  ({"OriginRequestPolicyList": {...}, "CachePolicyList": {...}}; scripts/check-fixture-fields.py
  checks it against botocore's model), filtered by the request's Type (managed, custom).
"""

import json
import os
import sys

from moto.cloudfront import models, responses, urls
from moto.core.common_types import TYPE_RESPONSE  # noqa: F401 (moto's import order)
from moto.core.responses import ActionResult


def _summary_member(self, name):
    config = self.__dict__.get("distribution_config")
    if config is not None and name in config.__dict__:
        return config.__dict__[name]
    raise AttributeError(name)


_distribution_init = models.Distribution.__init__


def _distribution_init_with_groups(self, *args, **kwargs):
    _distribution_init(self, *args, **kwargs)
    # moto sets an empty `origin_groups` that hides the config's OriginGroups.
    del self.origin_groups


_origin_init = models.Origin.__init__


def _origin_init_with_s3(self, origin):
    _origin_init(self, origin)
    if "S3OriginConfig" in origin:
        self.s3_origin_config = dict(origin["S3OriginConfig"])


models.Distribution.__getattr__ = _summary_member
models.Distribution.__init__ = _distribution_init_with_groups
models.Origin.__init__ = _origin_init_with_s3

PAGE_SIZE = int(os.environ.get("MOTO_CLOUDFRONT_PAGE_SIZE", "100"))


def _param(response, name):
    value = response.querystring.get(name)
    if isinstance(value, list):
        value = value[0] if value else None
    return value


def list_distributions(self):
    distributions = self.backend.list_distributions()
    marker = _param(self, "Marker") or ""
    max_items = int(_param(self, "MaxItems") or PAGE_SIZE)
    start = 0
    if marker:
        ids = [d.distribution_id for d in distributions]
        start = ids.index(marker) + 1 if marker in ids else len(ids)
    page = distributions[start : start + max_items]
    truncated = start + max_items < len(distributions)
    listing = {
        "Marker": marker,
        "MaxItems": max_items,
        "IsTruncated": truncated,
        "Quantity": len(page),
        "Items": page if page else None,
    }
    if truncated:
        listing["NextMarker"] = page[-1].distribution_id
    return ActionResult({"DistributionList": listing})


def _policies(member, kind):
    path = os.environ.get("MOTO_CLOUDFRONT_POLICIES")
    listing = {"MaxItems": 100, "Quantity": 0, "Items": []}
    if path:
        with open(path, encoding="utf-8") as handle:
            listing = dict(json.load(handle).get(member, listing))
    items = [i for i in listing.get("Items") or [] if not kind or i.get("Type") == kind]
    listing["Items"] = items
    listing["Quantity"] = len(items)
    return listing


def list_origin_request_policies(self):
    listing = _policies("OriginRequestPolicyList", _param(self, "Type"))
    return ActionResult({"OriginRequestPolicyList": listing})


def list_cache_policies(self):
    listing = _policies("CachePolicyList", _param(self, "Type"))
    return ActionResult({"CachePolicyList": listing})


responses.CloudFrontResponse.list_distributions = list_distributions
responses.CloudFrontResponse.list_origin_request_policies = list_origin_request_policies
responses.CloudFrontResponse.list_cache_policies = list_cache_policies
urls.url_paths["{0}/2020-05-31/origin-request-policy$"] = responses.CloudFrontResponse.dispatch
urls.url_paths["{0}/2020-05-31/cache-policy$"] = responses.CloudFrontResponse.dispatch


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    from moto.server import main as moto_main

    return moto_main(["-H", "127.0.0.1", "-p", sys.argv[1]])


if __name__ == "__main__":
    sys.exit(main())
