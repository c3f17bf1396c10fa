using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Tests.Unit;

public sealed class OptionsValidatorTests
{
    [Test]
    public void OpenIdConnectOptions_WithEventsType_FailNamingSchemeAndProperty()
    {
        using var services = UnitServices.Build(o => o.EventsType = typeof(OpenIdConnectEvents));

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get("oidc"));

        Assert.That(failure!.Message, Does.Contain("OpenID Connect scheme 'oidc' (DPoP): EventsType"));
    }

    [Test]
    public void OpenIdConnectOptions_WithSecretMethodAndNoSecret_FailNamingSchemeAndProperty()
    {
        using var services = UnitServices.Build(o => o.ClientSecret = null, o => o.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretBasic);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get("oidc"));

        Assert.That(failure!.Message, Does.Contain("OpenID Connect scheme 'oidc' (DPoP): ClientSecret"));
    }

    [TestCase("Algorithm")]
    [TestCase("RefreshBeforeExpiry")]
    [TestCase("SessionIdleTimeout")]
    [TestCase("ClientAuthentication")]
    [TestCase("PrivateKeyPath")]
    public void DPoPOptions_WithBadSetting_FailNamingSchemeAndProperty(string property)
    {
        using var services = UnitServices.Build(configureDPoP: o =>
        {
            switch (property)
            {
                case "Algorithm": o.Algorithm = "HS256"; break;
                case "RefreshBeforeExpiry": o.RefreshBeforeExpiry = TimeSpan.FromSeconds(-1); break;
                case "SessionIdleTimeout": o.SessionIdleTimeout = TimeSpan.Zero; break;
                case "ClientAuthentication": o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt; break;
                default: o.KeyPerSession = false; o.PrivateKeyPath = "/no/such/key.pem"; break;
            }
        });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get("oidc"));

        Assert.That(failure!.Message, Does.Contain($"DPoP options of OpenID Connect scheme 'oidc': {property}"));
    }

    [TestCase("PrivateKey", "null")]
    [TestCase("PrivateKey", "-----BEGIN PRIVATE KEY-----\nU0VDUkVU\n-----END PRIVATE KEY-----")]
    [TestCase("ClientAssertionKey", "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AA\",\"y\":null,\"d\":\"AA\"}")]
    [TestCase("ClientAssertionKey", "{\"kty\":\"RSA\",\"n\":true,\"e\":\"AQAB\",\"d\":\"AA\"}")]
    public void DPoPOptions_WithUnusableKey_FailNamingSchemeAndProperty(string property, string key)
    {
        using var services = UnitServices.Build(configureDPoP: o =>
        {
            if (property == "PrivateKey")
            {
                o.KeyPerSession = false;
                o.PrivateKey = key;
            }
            else
            {
                o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
                o.ClientAssertionKey = key;
            }
        });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get("oidc"));

        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.Contain($"DPoP options of OpenID Connect scheme 'oidc': {property} does not hold a usable private key"));
            Assert.That(failure.Message, Does.Not.Contain("U0VDUkVU"));
        });
    }

    [Test]
    public void AddDPoPUserAccessToken_ForASchemeWithoutDPoP_FailsNamingClientAndScheme()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP().AddDPoPUserAccessToken("other");
        using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptionsMonitor<DPoPClientOptions>>().Get("api"));

        Assert.That(failure!.Message, Does.Contain("HttpClient 'api'").And.Contain("AddDPoPOpenIdConnect(\"other\")"));
    }

    [TestCase("grant_type")]
    [TestCase("client_secret")]
    [TestCase("scope")]
    public void AddDPoPClientCredentialsToken_WithAReservedParameter_FailsAtStartNamingClientAndProperty(string parameter)
    {
        using var services = UnitServices.Build(configureServices: s => s.AddHttpClient("reports").AddDPoP()
            .AddDPoPClientCredentialsToken(UnitServices.Scheme, o => o.Parameters[parameter] = "x"));

        var failures = StartUpFailures(services);

        Assert.That(failures, Is.Not.Empty.And.All.Contain("HttpClient 'reports'").And.All.Contain("Parameters").And.All.Contain($"'{parameter}' is reserved"));
    }

    [Test]
    public void AddDPoPClientCredentialsToken_WithANegativeRefreshBeforeExpiry_FailsAtStartNamingClientAndProperty()
    {
        using var services = UnitServices.Build(configureServices: s => s.AddHttpClient("reports").AddDPoP()
            .AddDPoPClientCredentialsToken(UnitServices.Scheme, o => o.RefreshBeforeExpiry = TimeSpan.FromSeconds(-1)));

        var failures = StartUpFailures(services);

        Assert.That(failures, Is.Not.Empty.And.All.Contain("HttpClient 'reports'").And.All.Contain("RefreshBeforeExpiry"));
    }

    [TestCase("AddDPoPTokenPartition")]
    [TestCase("AddDPoPTokenRequestHook")]
    [TestCase("AddDPoPClientAssertionProvider")]
    public void AddDPoPClientCredentialsToken_WithACoreTokenCustomization_FailsAtStartNamingClientAndMethod(string method)
    {
        using var services = UnitServices.Build(configureServices: s =>
        {
            var reports = s.AddHttpClient("reports").AddDPoP().AddDPoPClientCredentialsToken(UnitServices.Scheme, o => o.Scope = "reports.read");
            _ = method switch
            {
                "AddDPoPTokenPartition" => reports.AddDPoPTokenPartition(p => p.Parameters["tenant"] = "contoso"),
                "AddDPoPTokenRequestHook" => reports.AddDPoPTokenRequestHook((_, _) => ValueTask.CompletedTask),
                _ => reports.AddDPoPClientAssertionProvider<NoAssertions>(),
            };
        });

        var failures = StartUpFailures(services);

        Assert.That(failures, Is.Not.Empty.And.Some.Contain("HttpClient 'reports'").And.Some.Contain($"{method}()"));
    }

    [Test]
    public void AddDPoPClientCredentialsToken_WithUsableSettings_PassesStartUpValidation()
    {
        using var services = UnitServices.Build(configureServices: s => s.AddHttpClient("reports").AddDPoP()
            .AddDPoPClientCredentialsToken(UnitServices.Scheme, o =>
            {
                o.Scope = "reports.read";
                o.Parameters["tenant"] = "contoso";
            }));

        Assert.DoesNotThrow(() => services.GetRequiredService<IStartupValidator>().Validate());
    }

    [TestCase("PrivateKey")]
    [TestCase("Algorithm")]
    public void AddDPoPUserAccessToken_WithAKeySetting_FailsAtStartNamingClientAndProperty(string property)
    {
        using var key = DPoPKey.Generate();
        using var services = UnitServices.Build(configureServices: s => s.AddHttpClient("api")
            .AddDPoP(o =>
            {
                if (property == "PrivateKey")
                {
                    o.PrivateKey = key.PrivateKeyPem;
                }
                else
                {
                    o.Algorithm = DPoPAlgorithms.ES384;
                }
            })
            .AddDPoPUserAccessToken(UnitServices.Scheme));

        var failures = StartUpFailures(services);

        Assert.That(failures, Has.Some.Contain($"HttpClient 'api': {property} is set, but a key provider registered for this client"));
    }

    [Test]
    public void SessionExpiredException_NamesSchemeAndReason_AndKeepsThem()
    {
        var exception = new DPoPSessionExpiredException("oidc", DPoPSessionExpiredReason.RefreshTokenRejected);

        Assert.Multiple(() =>
        {
            Assert.That(exception.Scheme, Is.EqualTo("oidc"));
            Assert.That(exception.Reason, Is.EqualTo(DPoPSessionExpiredReason.RefreshTokenRejected));
            Assert.That(exception.Message, Does.Contain("'oidc'").And.Contain("invalid_grant"));
        });
    }

    /// <summary>
    /// What the host's start-up validation throws: one <see cref="OptionsValidationException"/>, or several in an
    /// <see cref="AggregateException"/> (the app-token client's token-endpoint client reads the API client's options,
    /// so it reports the same failure).
    /// </summary>
    private static List<string> StartUpFailures(IServiceProvider services)
    {
        var thrown = Assert.Catch(() => services.GetRequiredService<IStartupValidator>().Validate());
        var failures = thrown is AggregateException aggregate ? aggregate.InnerExceptions : [thrown!];
        Assert.That(failures, Is.All.InstanceOf<OptionsValidationException>());
        return failures.Select(f => f.Message).ToList();
    }

    private sealed class NoAssertions : IDPoPClientAssertionProvider
    {
        public ValueTask<string> CreateAssertionAsync(DPoPClientAssertionContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("never called");
    }
}
