using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Tokens;

/// <summary>Which clients <see cref="IDPoPClientAccessTokens"/> serves, and what it says about the others; no server needed.</summary>
public sealed class ClientAccessTokensRegistrationTests
{
    private static IDPoPClientAccessTokens Build(Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        register(services);
        return services.BuildServiceProvider().GetRequiredService<IDPoPClientAccessTokens>();
    }

    private static IEnumerable<TestCaseData> Unsupported()
    {
        yield return new TestCaseData(new Action<IServiceCollection>(s => s.AddHttpClient("api").AddDPoP()), "orders", "There is no DPoP client named 'orders'")
            .SetArgDisplayNames("unknown client");
        yield return new TestCaseData(new Action<IServiceCollection>(s => s.AddHttpClient("api").AddDPoP()), "api", "DPoP client 'api' has no access token source")
            .SetArgDisplayNames("no token source");
        yield return new TestCaseData(new Action<IServiceCollection>(s => s.AddHttpClient("api").AddDPoP().AddDPoPAccessTokenProvider<FixedTokenProvider>()), "api", "FixedTokenProvider")
            .SetArgDisplayNames("the user's own provider");
        yield return new TestCaseData(new Action<IServiceCollection>(s => s.AddHttpClient("api").AddDPoP().AddDPoPTokenExchange(
                o =>
                {
                    o.TokenEndpoint = new Uri("https://login.example.com/token");
                    o.ClientId = "downstream";
                    o.ClientSecret = "secret";
                },
                (_, _) => ValueTask.FromResult<string?>("subject"))), "api", "TokenExchangeTokenProvider")
            .SetArgDisplayNames("token exchange");
    }

    [TestCaseSource(nameof(Unsupported))]
    public void AllMethods_ClientWithoutACachedClientToken_ThrowInvalidOperationExceptionNamingTheClient(Action<IServiceCollection> register, string clientName, string expected)
    {
        var tokens = Build(register);

        var errors = new[]
        {
            Assert.ThrowsAsync<InvalidOperationException>(() => tokens.GetAccessTokenAsync(clientName)),
            Assert.ThrowsAsync<InvalidOperationException>(() => tokens.RenewAccessTokenAsync(clientName)),
            Assert.ThrowsAsync<InvalidOperationException>(() => tokens.RemoveAccessTokenAsync(clientName)),
        };

        Assert.That(errors.Select(e => e!.Message), Has.All.Contain(expected).And.All.Contain($"'{clientName}'").And.All.Contain("AddDPoPClientCredentialsToken"));
    }

    [TestCase(null)]
    [TestCase("")]
    public void AllMethods_NullOrEmptyClientName_ThrowArgumentException(string? clientName)
    {
        var tokens = Build(s => s.AddHttpClient("api").AddDPoP());

        Assert.Multiple(() =>
        {
            Assert.That(Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), () => tokens.GetAccessTokenAsync(clientName!))!.Message, Does.Contain("clientName"));
            Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), () => tokens.RenewAccessTokenAsync(clientName!));
            Assert.ThrowsAsync(Is.InstanceOf<ArgumentException>(), () => tokens.RemoveAccessTokenAsync(clientName!));
        });
    }

    [Test]
    public async Task AllMethods_AProviderThatImplementsTheCache_IsServed()
    {
        var tokens = Build(s => s.AddHttpClient("api").AddDPoP().AddDPoPAccessTokenProvider<CachingTokenProvider>());

        var token = await tokens.GetAccessTokenAsync("api");
        var renewed = await tokens.RenewAccessTokenAsync("api");
        await tokens.RemoveAccessTokenAsync("api");

        Assert.Multiple(() =>
        {
            Assert.That(token.TokenType, Is.EqualTo("DPoP"));
            Assert.That(renewed.Key, Is.SameAs(token.Key));
        });
    }

    [Test]
    public void ToString_ShowsNoToken()
    {
        using var key = DPoPKey.Generate();
        var token = new DPoPClientAccessToken("eyJ.secret-token-value.sig", "DPoP", DateTimeOffset.UnixEpoch.AddYears(60), "orders", key);

        Assert.Multiple(() =>
        {
            Assert.That(token.ToString(), Does.Not.Contain("secret-token-value"));
            Assert.That(token.ToString(), Does.Contain("DPoP").And.Contain("orders").And.Contain(key.JwkThumbprint));
        });
    }

    [Test]
    public void Constructor_RejectsMissingParts()
    {
        using var key = DPoPKey.Generate();
        Assert.Multiple(() =>
        {
            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => _ = new DPoPClientAccessToken("", "DPoP", DateTimeOffset.UtcNow, null, key));
            Assert.Throws(Is.InstanceOf<ArgumentException>(), () => _ = new DPoPClientAccessToken("token", "", DateTimeOffset.UtcNow, null, key));
            Assert.Throws<ArgumentNullException>(() => _ = new DPoPClientAccessToken("token", "DPoP", DateTimeOffset.UtcNow, null, null!));
        });
    }

    private sealed class FixedTokenProvider : IDPoPAccessTokenProvider
    {
        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.FromResult<string?>("token");
    }

    /// <summary>A user's provider that opts in: a token from a DPoPTokenClient of its own, cached.</summary>
    private sealed class CachingTokenProvider : IDPoPAccessTokenProvider, IDPoPClientAccessTokenCache
    {
        private static readonly DPoPClientAccessToken Token = new("token", "DPoP", DateTimeOffset.UtcNow.AddMinutes(5), scope: null, DPoPKey.Generate());

        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(Token.AccessToken);

        public ValueTask<DPoPClientAccessToken> GetAccessTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Token);

        public ValueTask<DPoPClientAccessToken> RenewAccessTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Token);

        public ValueTask RemoveAccessTokenAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
