"""checkov check CKV_PLATFORM_1 over the plan's IAM (plan/iam-template.ts, test/checkov.test.ts).

checkov has no check of its own for source conditions in a role's trust policy; this one reads
the same rule as the policy pack's iam-trust-source-conditions (policy/iam.ts): every Allow
statement that lets an AWS service assume the role tests aws:SourceAccount and aws:SourceArn
(any operator), except for ec2.amazonaws.com (the nodes' instance role: EC2 assumes it for an
instance profile of this account only, fenced by iam:PassRole; AWS documents no source keys for it).
"""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

WITHOUT_SOURCE_CONDITIONS = {"ec2.amazonaws.com"}
SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn")


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class TrustSourceConditions(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure an IAM role's trust policy limits each AWS service to this account and resource (aws:SourceAccount, aws:SourceArn)",
            id="CKV_PLATFORM_1",
            categories=(CheckCategories.IAM,),
            supported_resources=("AWS::IAM::Role",),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        self.evaluated_keys = ["Properties/AssumeRolePolicyDocument/Statement"]
        document = (conf.get("Properties") or {}).get("AssumeRolePolicyDocument")
        if not isinstance(document, dict):
            return CheckResult.UNKNOWN
        for statement in _as_list(document.get("Statement", [])):
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            principal = statement.get("Principal")
            services = _as_list(principal.get("Service", [])) if isinstance(principal, dict) else []
            if not [s for s in services if s not in WITHOUT_SOURCE_CONDITIONS]:
                continue
            tested = {
                key.lower()
                for test in (statement.get("Condition") or {}).values()
                if isinstance(test, dict)
                for key in test
            }
            if any(key not in tested for key in SOURCE_KEYS):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = TrustSourceConditions()
