using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.DependencyInjection;

/// <summary>Each bad setting stops the host at start-up with a message naming the client and the property.</summary>
public sealed class DPoPClientOptionsValidationTests
{
    private static string StartAndGetMessage(Action<DPoPClientOptions> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHttpClient("orders-api").AddDPoP(configure);
        using var host = builder.Build();
        var ex = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        return ex!.Message;
    }

    [Test]
    public void UnsupportedAlgorithm_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.Algorithm = "HS256"), Does.Contain("HttpClient 'orders-api': Algorithm is not a supported algorithm").And.Contain("ES256"));
    }

    [Test]
    public void WhitespaceKeyName_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.KeyName = " "), Does.Contain("HttpClient 'orders-api': KeyName must not be empty"));
    }

    [Test]
    public void BothKeySources_FailStartup()
    {
        Assert.That(StartAndGetMessage(o => { o.PrivateKey = "x"; o.PrivateKeyPath = "y"; }), Does.Contain("HttpClient 'orders-api': PrivateKey and PrivateKeyPath are both set"));
    }

    [Test]
    public void MissingKeyFile_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.PrivateKeyPath = "/nonexistent/dpop.pem"), Does.Contain("HttpClient 'orders-api': PrivateKeyPath names a file that does not exist"));
    }

    [Test]
    public void MalformedInlineKey_FailsStartup_WithoutQuotingIt()
    {
        var message = StartAndGetMessage(o => o.PrivateKey = "-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----");
        Assert.Multiple(() =>
        {
            Assert.That(message, Does.Contain("HttpClient 'orders-api': PrivateKey does not hold a usable private key"));
            Assert.That(message, Does.Not.Contain("U0VDUkVUU0VDUkVU"));
        });
    }

    [Test]
    public void PublicOnlyKey_FailsStartup()
    {
        using var ecdsa = System.Security.Cryptography.ECDsa.Create();
        Assert.That(StartAndGetMessage(o => o.PrivateKey = ecdsa.ExportSubjectPublicKeyInfoPem()), Does.Contain("PrivateKey does not hold a usable private key").And.Contain("public key"));
    }

    [Test]
    public void KeyNotFittingAlgorithm_FailsStartup()
    {
        using var key = DPoPKey.Generate();
        Assert.That(StartAndGetMessage(o => { o.PrivateKey = key.PrivateKeyPem; o.Algorithm = "RS256"; }), Does.Contain("PrivateKey does not hold a usable private key").And.Contain("RS256"));
    }

    [TestCase("null", TestName = "JsonNullInlineKey_FailsStartup_NamingClientAndProperty")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":null,\"d\":\"AA\"}", TestName = "NullMemberInlineKey_FailsStartup_NamingClientAndProperty")]
    [TestCase("{\"kty\":\"RSA\",\"n\":true,\"e\":\"AQAB\",\"d\":\"AA\"}", TestName = "BooleanMemberInlineKey_FailsStartup_NamingClientAndProperty")]
    public void JunkInlineKey_FailsStartup_NamingClientAndProperty(string jwk)
    {
        Assert.That(StartAndGetMessage(o => o.PrivateKey = jwk), Does.Contain("HttpClient 'orders-api': PrivateKey does not hold a usable private key"));
    }

    [Test]
    public void KeyFileOverOneMebibyte_FailsStartup_WithoutReadingIt()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dpop-oversized-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, new string('A', (1 << 20) + 1));
        try
        {
            Assert.That(StartAndGetMessage(o => o.PrivateKeyPath = path), Does.Contain("HttpClient 'orders-api': PrivateKeyPath does not hold a usable private key").And.Contain("1 MiB"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void NegativeBufferSize_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.Handler.MaxBufferedRequestBodySize = -1), Does.Contain("HttpClient 'orders-api': Handler.MaxBufferedRequestBodySize must be between 0 and"));
    }

    [Test]
    public void ZeroNonceStoreCapacity_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.NonceStoreCapacity = 0), Does.Contain("HttpClient 'orders-api': NonceStoreCapacity must be between 1 and"));
    }

    [Test]
    public void NonPositiveNonceLifetime_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.NonceLifetime = TimeSpan.Zero), Does.Contain("HttpClient 'orders-api': NonceLifetime must be between 00:00:00 exclusive and"));
    }

    [Test]
    public void HugeClockOffset_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.Handler.ClockOffset = TimeSpan.FromHours(2)), Does.Contain("HttpClient 'orders-api': Handler.ClockOffset must be between -01:00:00 and 01:00:00"));
    }

    [Test]
    public void NegativeMaxRedirects_FailsStartup()
    {
        Assert.That(StartAndGetMessage(o => o.Handler.MaxRedirects = -1), Does.Contain("HttpClient 'orders-api': Handler.MaxRedirects must be between 0 and"));
    }

    [Test]
    public void SeveralFailures_AreAllReported()
    {
        var message = StartAndGetMessage(o => { o.Algorithm = "none"; o.NonceStoreCapacity = 0; });
        Assert.That(message, Does.Contain("Algorithm").And.Contain("NonceStoreCapacity"));
    }

    [Test]
    public async Task ValidOptions_StartCleanly()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHttpClient("orders-api").AddDPoP(o => o.Algorithm = DPoPAlgorithms.ES384);
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}
