/**
 * The web dashboard's hosting: a private S3 bucket behind CloudFront (origin access control,
 * HTTPS only, the security headers of dashboard/security-headers.ts), holding the Vite build of
 * dashboard/ and a `config.json` written at deploy time from the deployed APIs' URLs, so the same
 * build serves every deployment.
 *
 * The build runs at synth (local asset bundling: `tsx dashboard/build.ts --out-dir …`), like the
 * functions' esbuild, so `cdk synth` on a clean clone needs nothing but `npm ci`. Caching: files
 * under `assets/` carry content hashes and are cached for good; index.html and config.json are
 * never cached at the edge, so a deployment reaches every browser on its next load without an
 * invalidation.
 *
 * Two steps, because of a dependency each way: the HTTP API's CORS needs this site's origin, and
 * this site's config.json needs the API's URL. The constructor makes the bucket and the
 * distribution; {@link DashboardSite.publish} deploys the content once the APIs exist.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ASSET_CACHE_CONTROL, contentSecurityPolicy, ENTRY_CACHE_CONTROL, SECURITY_HEADERS } from '../../dashboard/security-headers';
import type { RuntimeConfig } from '../../dashboard/config-json';
import { REPO_ROOT } from '../function-bundling';
import { acknowledgeWildcardResource } from '../nag-acknowledgements';
import type { DashboardDomainConfig } from '../stack-config';

/** The viewer TLS floor whenever CloudFront lets us choose one (a certificate of our own). */
export const DASHBOARD_TLS_POLICY = cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021;

/**
 * A web ACL whose one rule blocks a client IP above `limit` requests in 5 minutes (AWS WAF's
 * window), in front of the distribution. CLOUDFRONT-scoped web ACLs exist only in us-east-1, so
 * the stack must be deployed there to have one (checked at synth).
 */
function rateLimitWebAcl(scope: Construct, limit: number): wafv2.CfnWebACL {
  const region = Stack.of(scope).region;
  if (region !== 'us-east-1') {
    throw new Error(
      `context wafRateLimit needs the stack in us-east-1 (CloudFront web ACLs live only there); this stack's region is ${Token.isUnresolved(region) ? 'not known at synth (deploy with a region: CDK_DEFAULT_REGION)' : region}`,
    );
  }
  const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
  return new wafv2.CfnWebACL(scope, 'RateLimit', {
    description: `stock-alerts dashboard: block an IP above ${limit} requests in 5 minutes`,
    scope: 'CLOUDFRONT',
    defaultAction: { allow: {} },
    visibilityConfig: visibility('StockAlertsDashboardWebAcl'),
    rules: [
      {
        name: 'RatePerIp',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300 } },
        visibilityConfig: visibility('StockAlertsDashboardRatePerIp'),
      },
    ],
  });
}

/** Builds the dashboard into `outputDir` with the repository's Vite (dashboard/build.ts). */
export function buildDashboardInto(outputDir: string): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join('dashboard', 'build.ts'), '--out-dir', outputDir], {
    cwd: REPO_ROOT,
    // Vite's output goes to stderr: stdout may be the CLI's template.
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) throw new Error(`the dashboard build failed (exit ${result.status ?? result.signal}): run npm run dashboard:build to see why`);
}

/**
 * cdk-nag IAM5 for each wildcard of BucketDeployment's own grants, which aws-cdk-lib writes: read
 * of the CDK assets bucket and read-write of the site bucket, on object keys known at deploy time
 * only, with its action families (`s3:GetObject*` …). Read from the role's policy as the library
 * wrote it, rather than listed by hand, so an upgrade that changes them needs no edit here.
 */
function acknowledgeDeploymentGrants(role: iam.Role): void {
  const reason =
    "aws-cdk-lib's BucketDeployment grants: read of the CDK assets bucket and read-write of this site's bucket, on object keys (the build's file names) known only at deploy time.";
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!(policy instanceof iam.Policy)) throw new Error('the deployment role has no default policy');
  const document = Stack.of(role).resolve(policy.document.toJSON()) as { Statement: Array<{ Action: string | string[]; Resource: unknown }> };
  for (const statement of document.Statement) {
    for (const action of [statement.Action].flat()) {
      if (action.includes('*')) Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
    }
    for (const resource of [statement.Resource].flat()) {
      // Already resolved; acknowledgeWildcardResource resolves again, which leaves it as it is.
      if (JSON.stringify(resource).includes('*')) acknowledgeWildcardResource(role, resource as string, reason);
    }
  }
}

export interface DashboardSiteProps {
  readonly logRetention: logs.RetentionDays;
  /** The site's own domain and certificate (then TLS 1.2 at least); unset: the *.cloudfront.net name. */
  readonly domain?: DashboardDomainConfig | undefined;
  /** Requests per 5 minutes per IP before the web ACL blocks; unset: no web ACL. */
  readonly wafRateLimit?: number | undefined;
}

export class DashboardSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** Present with context wafRateLimit only. */
  readonly webAcl: wafv2.CfnWebACL | undefined;
  private readonly domainName: string | undefined;
  private readonly logRetention: logs.RetentionDays;
  private deployment: s3deploy.BucketDeployment | undefined;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    this.logRetention = props.logRetention;
    this.domainName = props.domain?.domainName;
    this.webAcl = props.wafRateLimit === undefined ? undefined : rateLimitWebAcl(this, props.wafRateLimit);
    const { region, urlSuffix } = Stack.of(this);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // Only the build lives here, reproducible from the repository: the deployment empties the
      // bucket when the stack is deleted (retainOnDelete: false below), then the bucket goes.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the public build of dashboard/ and is read by CloudFront alone (origin access control); its reads are the page loads, which carry no user data. Access logs would need a second bucket and cost for nothing to learn.',
    });

    // The APIs are other origins on execute-api: named by pattern, not by id, because the HTTP
    // API's CORS already refers to this distribution (an id here would be a dependency cycle).
    const csp = contentSecurityPolicy([`https://*.execute-api.${region}.${urlSuffix}`, `wss://*.execute-api.${region}.${urlSuffix}`]);
    const headersPolicy = (policyId: string, cacheControl: string, comment: string) =>
      new cloudfront.ResponseHeadersPolicy(this, policyId, {
        comment,
        securityHeadersBehavior: {
          contentSecurityPolicy: { contentSecurityPolicy: csp, override: true },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
          referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
          strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, override: true },
        },
        customHeadersBehavior: {
          customHeaders: [
            { header: 'Cache-Control', value: cacheControl, override: true },
            { header: 'Cross-Origin-Opener-Policy', value: SECURITY_HEADERS['Cross-Origin-Opener-Policy'], override: true },
            { header: 'Permissions-Policy', value: SECURITY_HEADERS['Permissions-Policy'], override: true },
          ],
        },
      });
    const origin = origins.S3BucketOrigin.withOriginAccessControl(this.bucket);
    const common = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      compress: true,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'stock-alerts web dashboard',
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // CloudFront applies a TLS floor only with a certificate of our own: on *.cloudfront.net it is TLSv1, whatever is set.
      ...(props.domain === undefined
        ? {}
        : {
            domainNames: [props.domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
            minimumProtocolVersion: DASHBOARD_TLS_POLICY,
          }),
      ...(this.webAcl === undefined ? {} : { webAclId: this.webAcl.attrArn }),
      defaultBehavior: {
        ...common,
        // index.html and config.json: tiny, and a deployment must show at once.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        responseHeadersPolicy: headersPolicy('EntryHeaders', ENTRY_CACHE_CONTROL, 'stock-alerts dashboard: security headers; index.html and config.json revalidated'),
      },
      additionalBehaviors: {
        'assets/*': {
          ...common,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: headersPolicy('AssetHeaders', ASSET_CACHE_CONTROL, 'stock-alerts dashboard: security headers; content-hashed assets cached for good'),
        },
      },
    });
    const acknowledge = (ruleId: string, reason: string) => Validations.of(this.distribution).acknowledge({ id: ruleId, reason });
    acknowledge(
      'AwsSolutions-CFR1',
      'Traders use the dashboard wherever they are; the page holds no data of its own (everything it shows comes from the API, behind the API key).',
    );
    if (this.webAcl === undefined) {
      acknowledge(
        'AwsSolutions-CFR2',
        'The distribution serves only static public files; a web ACL (about $6/month) is one context flag away (wafRateLimit, docs/deploy.md). The HTTP API behind the key is throttled at its stage.',
      );
    }
    acknowledge(
      'AwsSolutions-CFR3',
      'Standard logs need a log bucket with ACLs and cost per request for page loads of public files; every data request is logged by the HTTP API stage’s access logs.',
    );
    if (props.domain === undefined) {
      acknowledge(
        'AwsSolutions-CFR4',
        'No dashboardDomainName is set, so the *.cloudfront.net certificate is used, with which CloudFront allows no minimum TLS version; with dashboardDomainName and dashboardCertificateArn the distribution requires TLSv1.2_2021 (docs/deploy.md).',
      );
    }
  }

  /** `https://d1234abcd.cloudfront.net`: where users open the dashboard. */
  get url(): string {
    return `https://${this.domainName ?? this.distribution.distributionDomainName}`;
  }

  /** The page's origin, which the HTTP API's CORS allows. */
  get origin(): string {
    return this.url;
  }

  /**
   * Deploys the dashboard build and its `config.json` (written at deploy time from `config`'s
   * values, which may be tokens such as the APIs' URLs). Once per site.
   */
  publish(config: Readonly<RuntimeConfig>): s3deploy.BucketDeployment {
    if (this.deployment !== undefined) throw new Error('the dashboard is already published');
    const build = s3deploy.Source.asset(path.join(REPO_ROOT, 'dashboard'), {
      // The output's hash: the build reads core/ and the lock file too, so the sources alone would not tell.
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: the local build always answers (a failure throws rather than fall back to Docker).
        image: DockerImage.fromRegistry('node:22-alpine'),
        local: {
          tryBundle(outputDir: string) {
            buildDashboardInto(outputDir);
            return true;
          },
        },
      },
    });
    // The copying function's role: its own log group only (CDK's default would attach
    // AWSLambdaBasicExecutionRole, which may write to any log group); CDK adds the bucket grants.
    const logGroup = new logs.LogGroup(this, 'DeploymentLogs', { retention: this.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Copies the dashboard build and config.json into its bucket at deploy time (stock-alerts)',
    });
    logGroup.grantWrite(role);
    this.deployment = new s3deploy.BucketDeployment(this, 'Content', {
      destinationBucket: this.bucket,
      sources: [build, s3deploy.Source.jsonData('config.json', { apiUrl: config.apiUrl, webSocketUrl: config.webSocketUrl })],
      prune: true,
      retainOnDelete: false,
      memoryLimit: 256,
      role,
      logGroup,
    });
    acknowledgeDeploymentGrants(role);
    // The copying function is a singleton of aws-cdk-lib at stack level, its runtime chosen by the library.
    const copier = Stack.of(this).node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (copier === undefined) throw new Error('the BucketDeployment function was not found');
    Validations.of(copier).acknowledge({
      id: 'AwsSolutions-L1',
      reason: "aws-cdk-lib's BucketDeployment function (Python and the AWS CLI layer); its runtime moves with aws-cdk-lib, which the project keeps current.",
    });
    return this.deployment;
  }
}
