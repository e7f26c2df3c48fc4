/**
 * The gateway on a corporate domain such as `ai.example.com`: an ACM certificate validated by
 * DNS records in the domain's Route 53 hosted zone, a REGIONAL API Gateway domain name with a
 * TLS 1.2 minimum, a base path mapping to the stage, and A + AAAA alias records.
 *
 * SDK clients then use `https://<domain>[/<basePath>]` as their endpoint; the gateway stack turns
 * the default execute-api endpoint off, so the domain (and the WAF on the stage) cannot be bypassed.
 */
import { Construct } from 'constructs';
import { TerraformIterator, Token } from 'cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { ApiGatewayBasePathMapping } from '@cdktf/provider-aws/lib/api-gateway-base-path-mapping';
import { ApiGatewayDomainName } from '@cdktf/provider-aws/lib/api-gateway-domain-name';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import type { DomainSettings } from '../../gateway-config/edge-schema';

/** Oldest TLS version clients may use. */
export const DOMAIN_SECURITY_POLICY = 'TLS_1_2';

export interface CustomDomainProps {
  readonly domain: DomainSettings;
  readonly restApiId: string;
  readonly stageName: string;
}

export class CustomDomain extends Construct {
  /** The hosted zone's id: looked up by name unless config gives it. */
  readonly zoneId: string;
  readonly certificate: AcmCertificate;
  readonly validationRecords: Route53Record;
  readonly validation: AcmCertificateValidation;
  readonly domainName: ApiGatewayDomainName;
  readonly basePathMapping: ApiGatewayBasePathMapping;
  /** `A` and `AAAA`. */
  readonly aliasRecords: Route53Record[];
  /** `https://<domain>[/<basePath>]`, what SDK clients use as their endpoint. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CustomDomainProps) {
    super(scope, id);
    const { domain } = props;
    this.zoneId = domain.hostedZone.id ?? new DataAwsRoute53Zone(this, 'zone', { name: domain.hostedZone.name, privateZone: false }).zoneId;

    this.certificate = new AcmCertificate(this, 'certificate', {
      domainName: domain.name,
      validationMethod: 'DNS',
      // A replaced certificate is issued before the old one goes, so the domain never loses its certificate.
      lifecycle: { createBeforeDestroy: true },
    });
    // One CNAME per name ACM asks to validate. The record name depends only on the account and the
    // domain, so a replacement certificate asks for the same record: overwrite rather than fail.
    const options = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, 'domain_name');
    this.validationRecords = new Route53Record(this, 'validation-record', {
      forEach: options,
      zoneId: this.zoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 60,
      allowOverwrite: true,
    });
    // Waits until ACM has issued the certificate, so the domain name is created with a valid one.
    this.validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(`\${[for record in ${this.validationRecords.fqn} : record.fqdn]}`),
    });

    this.domainName = new ApiGatewayDomainName(this, 'domain-name', {
      domainName: domain.name,
      regionalCertificateArn: this.validation.certificateArn,
      // dualstack: the AAAA record below must lead somewhere (API Gateway's default is IPv4 only).
      endpointConfiguration: { types: ['REGIONAL'], ipAddressType: 'dualstack' },
      securityPolicy: DOMAIN_SECURITY_POLICY,
    });
    this.basePathMapping = new ApiGatewayBasePathMapping(this, 'base-path-mapping', {
      apiId: props.restApiId,
      stageName: props.stageName,
      domainName: this.domainName.domainName,
      ...(domain.basePath ? { basePath: domain.basePath } : {}),
    });
    this.aliasRecords = (['A', 'AAAA'] as const).map(
      (type) =>
        new Route53Record(this, `alias-${type.toLowerCase()}`, {
          zoneId: this.zoneId,
          name: domain.name,
          type,
          alias: { name: this.domainName.regionalDomainName, zoneId: this.domainName.regionalZoneId, evaluateTargetHealth: false },
        }),
    );
    this.url = `https://${this.domainName.domainName}${domain.basePath ? `/${domain.basePath}` : ''}`;
  }
}
