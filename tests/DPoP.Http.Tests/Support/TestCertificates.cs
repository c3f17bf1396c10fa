using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DPoP.Http.Tests.Support;

/// <summary>Self-signed certificates made in the test run, for HTTPS and mutual TLS on 127.0.0.1.</summary>
internal static class TestCertificates
{
    /// <summary>A server certificate for 127.0.0.1 (and <c>localhost</c>), valid for a day.</summary>
    public static X509Certificate2 CreateServer() => Create("CN=localhost", "1.3.6.1.5.5.7.3.1", san =>
    {
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
    });

    /// <summary>A TLS client certificate (extended key usage clientAuth), valid for a day.</summary>
    public static X509Certificate2 CreateClient(string subject) => Create("CN=" + subject, "1.3.6.1.5.5.7.3.2", san => san.AddDnsName(subject));

    private static X509Certificate2 Create(string subject, string extendedKeyUsage, Action<SubjectAlternativeNameBuilder> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsage)], false));
        var san = new SubjectAlternativeNameBuilder();
        names(san);
        request.CertificateExtensions.Add(san.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        // Through PKCS#12, so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
