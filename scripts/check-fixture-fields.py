#!/usr/bin/env python3
"""Check that CloudFront JSON fixtures use only member names that exist in botocore's model.

Usage: python3 scripts/check-fixture-fields.py FILE...

Each FILE is walked against botocore's CloudFront model (API version 2020-05-31), starting from
the output shape its top level belongs to:

  {"DistributionList": ...}                  ListDistributionsResult
  {"ETag": ..., "DistributionConfig": ...}   GetDistributionConfigResult
  {"ETag": ..., "Distribution": ...}         GetDistributionResult
  [DistributionSummary, ...]                 --query 'DistributionList.Items' of
                                             ListDistributionsResult
  {"ETag": ..., "OriginRequestPolicy": ...}  GetOriginRequestPolicyResult
  {"OriginRequestPolicyList": ...}           ListOriginRequestPoliciesResult
  {"ETag": ..., "CachePolicy": ...}          GetCachePolicyResult
  {"CachePolicyList": ...}                   ListCachePoliciesResult

`originscan scan --aws-save` writes the three lists in one object ({"DistributionList": ...,
"OriginRequestPolicyList": ..., "CachePolicyList": ...}): each member is checked against its own
output shape.

Every key that is not a member of the structure at its position is printed (with its JSON
path), as is a value whose kind does not fit the shape (an object where a list belongs, ...).
Lists, maps and nested structures are followed. A top-level `NextToken` is accepted for the
paginated list operations: the AWS CLI adds it when `--max-items` stops it early.

Exit status: 0 when every file is fine, 1 when any key is unknown or a file is not one of those
shapes (or not JSON), 2 when botocore cannot be imported.
"""

import json
import sys

API_VERSION = "2020-05-31"

# Top-level member that identifies the shape → (output shape, paginated by the CLI).
TOP_LEVEL = [
    ("DistributionList", "ListDistributionsResult", True),
    ("DistributionConfig", "GetDistributionConfigResult", False),
    ("Distribution", "GetDistributionResult", False),
    ("OriginRequestPolicy", "GetOriginRequestPolicyResult", False),
    ("OriginRequestPolicyList", "ListOriginRequestPoliciesResult", True),
    ("CachePolicy", "GetCachePolicyResult", False),
    ("CachePolicyList", "ListCachePoliciesResult", True),
]

# The members of an `--aws-save` file, each the whole output of its list operation.
SAVED_LISTS = {
    "DistributionList": "ListDistributionsResult",
    "OriginRequestPolicyList": "ListOriginRequestPoliciesResult",
    "CachePolicyList": "ListCachePoliciesResult",
}


def load_shapes():
    """botocore's CloudFront shapes (the loader reads service-2.json or service-2.json.gz)."""
    try:
        from botocore.loaders import Loader
    except ImportError as error:
        print(f"botocore is not installed ({error}): pip install botocore", file=sys.stderr)
        sys.exit(2)
    model = Loader().load_service_model("cloudfront", "service-2", API_VERSION)
    return model["shapes"]


def kind_of(value):
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a scalar"


def walk(shapes, shape_name, value, path, problems):
    """Appends a message to `problems` for each key or value that does not fit `shape_name`."""
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: is {kind_of(value)}, but {shape_name} is a structure")
            return
        members = shape.get("members", {})
        for key, item in value.items():
            member = members.get(key)
            if member is None:
                problems.append(
                    f"{path}.{key}: not a member of {shape_name} "
                    f"(members: {', '.join(sorted(members))})"
                )
                continue
            walk(shapes, member["shape"], item, f"{path}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: is {kind_of(value)}, but {shape_name} is a list")
            return
        for index, item in enumerate(value):
            walk(shapes, shape["member"]["shape"], item, f"{path}[{index}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: is {kind_of(value)}, but {shape_name} is a map")
            return
        for key, item in value.items():
            walk(shapes, shape["value"]["shape"], item, f"{path}[{key!r}]", problems)
    elif isinstance(value, (dict, list)):
        problems.append(f"{path}: is {kind_of(value)}, but {shape_name} is a {kind}")


def check_file(shapes, file_name):
    """The problems found in one file (an empty list when it is fine)."""
    try:
        with open(file_name, encoding="utf-8-sig") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        return [f"cannot be read as JSON: {error}"]
    if isinstance(document, list):
        problems = []
        for index, item in enumerate(document):
            walk(shapes, "DistributionSummary", item, f"$[{index}]", problems)
        return problems
    if isinstance(document, dict):
        if len(document) > 1 and set(document) <= set(SAVED_LISTS):
            problems = []
            for member, value in document.items():
                walk(shapes, SAVED_LISTS[member], {member: value}, "$", problems)
            return problems
        for member, shape_name, paginated in TOP_LEVEL:
            if member in document:
                body = dict(document)
                if paginated:
                    body.pop("NextToken", None)
                problems = []
                walk(shapes, shape_name, body, "$", problems)
                return problems
        keys = ", ".join(sorted(document)) or "none"
    else:
        keys = f"it is {kind_of(document)}"
    expected = ", ".join(f"{shape} ({member})" for member, shape, _ in TOP_LEVEL)
    return [f"top level is none of {expected}; top-level keys: {keys}"]


def main(argv):
    if not argv:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    shapes = load_shapes()
    failed = False
    for file_name in argv:
        problems = check_file(shapes, file_name)
        for problem in problems:
            print(f"{file_name}: {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
