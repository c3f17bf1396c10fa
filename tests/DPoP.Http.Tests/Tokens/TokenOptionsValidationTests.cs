using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.Tokens;

public sealed class TokenOptionsValidationTests
{
    private static string StartAndGetMessage(Action<DPoPTokenClientOptions> configure, bool addDPoP = true)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var client = builder.Services.AddHttpClient("orders-api");
        if (addDPoP)
        {
            client.AddDPoP();
        }

        client.AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri("https://as.example/token");
            o.ClientId = "c";
            o.ClientSecret = "s";
            configure(o);
        });
        using var host = builder.Build();
        return Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync())!.Message;
    }

    [Test]
    public void MissingEndpoint_FailsStartup() =>
        Assert.That(StartAndGetMessage(o => o.TokenEndpoint = null), Does.Contain("HttpClient 'orders-api': TokenEndpoint must be an absolute http or https URI"));

    [Test]
    public void RelativeEndpoint_FailsStartup() =>
        Assert.That(StartAndGetMessage(o => o.TokenEndpoint = new Uri("/token", UriKind.Relative)), Does.Contain("TokenEndpoint must be"));

    [Test]
    public void MissingClientId_FailsStartup() =>
        Assert.That(StartAndGetMessage(o => o.ClientId = " "), Does.Contain("HttpClient 'orders-api': ClientId is required"));

    [Test]
    public void MissingSecret_FailsStartup() =>
        Assert.That(StartAndGetMessage(o => o.ClientSecret = null), Does.Contain("ClientSecret is required for ClientSecretBasic"));

    [Test]
    public void PrivateKeyJwtWithoutKey_FailsStartup() =>
        Assert.That(StartAndGetMessage(o => o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt), Does.Contain("exactly one of ClientAssertionKey and ClientAssertionKeyPath"));

    [Test]
    public void PrivateKeyJwtWithPublicKey_FailsStartup()
    {
        using var ecdsa = System.Security.Cryptography.ECDsa.Create();
        Assert.That(StartAndGetMessage(o => { o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt; o.ClientAssertionKey = ecdsa.ExportSubjectPublicKeyInfoPem(); }),
            Does.Contain("ClientAssertionKey does not hold a usable private key"));
    }

    [TestCase("null")]
    [TestCase("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":null,\"d\":\"AA\"}")]
    [TestCase("{\"kty\":\"RSA\",\"n\":true,\"e\":\"AQAB\",\"d\":\"AA\"}")]
    public void PrivateKeyJwtWithJunkKey_FailsStartup_NamingClientAndProperty(string jwk) =>
        Assert.That(StartAndGetMessage(o => { o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt; o.ClientAssertionKey = jwk; }),
            Does.Contain("HttpClient 'orders-api': ClientAssertionKey does not hold a usable private key"));

    [Test]
    public void PrivateKeyJwtWithUnsupportedAlgorithm_FailsStartup_NamingTheAlgorithmProperty()
    {
        using var key = DPoPKey.Generate();
        Assert.That(StartAndGetMessage(o => { o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt; o.ClientAssertionKey = key.PrivateKeyPem; o.ClientAssertionAlgorithm = "HS256"; }),
            Does.Contain("HttpClient 'orders-api': ClientAssertionAlgorithm is not a supported algorithm"));
    }

    [Test]
    public void EndpointWithUnconvertibleIdnHost_FailsStartup() =>
        Assert.That(StartAndGetMessage(o => o.TokenEndpoint = new Uri("https://a\u200Db/token")), Does.Contain("HttpClient 'orders-api': TokenEndpoint"));

    [Test]
    public void NegativeRefreshMargin_FailsStartup() =>
        Assert.That(StartAndGetMessage(o => o.RefreshBeforeExpiry = TimeSpan.FromSeconds(-1)), Does.Contain("RefreshBeforeExpiry must be between 00:00:00 and"));

    [Test]
    public void WithoutAddDPoP_FailsStartup() =>
        Assert.That(StartAndGetMessage(_ => { }, addDPoP: false), Does.Contain("needs AddDPoP() on the same client"));

    [Test]
    public void Messages_NeverContainTheSecret() =>
        Assert.That(StartAndGetMessage(o => { o.ClientSecret = "top-secret-value"; o.ClientId = null; }), Does.Not.Contain("top-secret-value"));
}
