/**
 * Acknowledging a cdk-nag AwsSolutions-IAM5 finding for one wildcard resource, with its reason.
 * cdk-nag v3 names each finding after the resource as it appears in the template, flattened
 * (`<Logical.Arn>` for GetAtt, `<Ref>` for Ref, joins concatenated); the id depends on the
 * environment (a known region is written out, an unknown one is `<AWS::Region>`), so it is
 * computed from the resource rather than written by hand.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The flat form cdk-nag gives a CloudFormation value in finding ids. */
export function flattenForNag(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    if (Array.isArray(node['Fn::Join'])) {
      const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
      return items.map(flattenForNag).join(delimiter);
    }
    if ('Fn::Sub' in node) return flattenForNag(node['Fn::Sub']);
    if (Array.isArray(node['Fn::GetAtt'])) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenForNag(resource)}.${flattenForNag(attribute)}>`;
    }
    if ('Fn::ImportValue' in node) return flattenForNag(node['Fn::ImportValue']);
    if ('Ref' in node) return `<${flattenForNag(node.Ref)}>`;
  }
  return JSON.stringify(value);
}

/**
 * Acknowledges `AwsSolutions-IAM5` for `resource` (an ARN with a wildcard, or `*`) on `scope`,
 * which must hold the policy that grants it (a role or its default policy).
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenForNag(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
