namespace DPoP.Http.DemoServer.Tests;

/// <summary>Options are checked when the server starts; each message names the bad setting.</summary>
public sealed class DemoServerOptionsTests
{
    [Test]
    public void Defaults_MatchTheDocumentedValues()
    {
        var options = new DemoServerOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.RequireNonceAtTokenEndpoint, Is.True);
            Assert.That(options.RequireNonceAtResource, Is.True);
            Assert.That(options.NonceLifetime, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.ProofLifetime, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.AccessTokenLifetime, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(options.AllowedAlgorithms, Is.EqualTo(new[] { "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512" }));
            Assert.That(options.Clients, Is.EquivalentTo(new Dictionary<string, string> { ["demo-client"] = "demo-secret" }));
            Assert.That(options.TimeProvider, Is.SameAs(TimeProvider.System));
            Assert.That(options.Port, Is.Zero);
            Assert.That(options.IssueBearerTokens, Is.False);
            Assert.That(options.WebClients.Single().ClientId, Is.EqualTo("demo-web"));
            Assert.That(options.WebClients.Single().ClientSecret, Is.EqualTo("demo-web-secret"));
            Assert.That(options.WebClients.Single().RedirectUris, Is.EqualTo(new[]
            {
                "http://127.0.0.1/signin-oidc", "http://localhost/signin-oidc", "https://127.0.0.1/signin-oidc", "https://localhost/signin-oidc",
            }));
            Assert.That(options.WebClients.Single().PostLogoutRedirectUris, Is.EqualTo(new[]
            {
                "http://127.0.0.1/signout-callback-oidc", "http://localhost/signout-callback-oidc",
                "https://127.0.0.1/signout-callback-oidc", "https://localhost/signout-callback-oidc",
            }));
            Assert.That(options.Users.Select(u => u.Subject), Is.EqualTo(new[] { "alice", "bob" }));
            Assert.That(options.SignInAutomatically, Is.False);
            Assert.That(options.RequirePushedAuthorizationRequests, Is.False);
            Assert.That(options.AuthorizationCodeLifetime, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(options.RefreshTokenLifetime, Is.EqualTo(TimeSpan.FromHours(8)));
            Assert.That(options.IdTokenLifetime, Is.EqualTo(TimeSpan.FromMinutes(5)));
        });
    }

    [Test]
    public void StartAsync_WebClientWithoutSecret_ThrowsNamingWebClients()
    {
        var options = new DemoServerOptions();
        options.WebClients.Add(new DemoWebClient { ClientId = "public" });

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("WebClients"));
    }

    [Test]
    public void StartAsync_WebClientIdAlsoInClients_ThrowsNamingWebClients()
    {
        var options = new DemoServerOptions();
        options.Clients["demo-web"] = "x";

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("WebClients"));
    }

    [Test]
    public void StartAsync_RelativeRedirectUri_ThrowsNamingWebClients()
    {
        var options = new DemoServerOptions();
        options.WebClients[0].RedirectUris.Add("/signin-oidc");

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("WebClients"));
    }

    [Test]
    public void StartAsync_NoUsers_ThrowsNamingUsers()
    {
        var options = new DemoServerOptions();
        options.Users.Clear();

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("Users"));
    }

    [Test]
    public void StartAsync_ZeroRefreshTokenLifetime_ThrowsNamingRefreshTokenLifetime()
    {
        var options = new DemoServerOptions { RefreshTokenLifetime = TimeSpan.Zero };

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("RefreshTokenLifetime"));
    }

    [Test]
    public void StartAsync_HmacAlgorithmAllowed_ThrowsNamingAllowedAlgorithms()
    {
        var options = new DemoServerOptions();
        options.AllowedAlgorithms.Add("HS256");

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("AllowedAlgorithms"));
    }

    [Test]
    public void StartAsync_NoAlgorithms_ThrowsNamingAllowedAlgorithms()
    {
        var options = new DemoServerOptions();
        options.AllowedAlgorithms.Clear();

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("AllowedAlgorithms"));
    }

    [Test]
    public void StartAsync_ZeroProofLifetime_ThrowsNamingProofLifetime()
    {
        var options = new DemoServerOptions { ProofLifetime = TimeSpan.Zero };

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("ProofLifetime"));
    }

    [Test]
    public void StartAsync_PortOutOfRange_ThrowsNamingPort()
    {
        var options = new DemoServerOptions { Port = 70000 };

        Assert.That(() => DemoServer.StartAsync(options), Throws.ArgumentException.With.Message.Contains("Port"));
    }

    [Test]
    [Category("Integration")]
    public async Task StartAsync_OptionsChangedAfterStart_DoNotAffectRunningServer()
    {
        var options = new DemoServerOptions();
        await using var server = await DemoServer.StartAsync(options);
        options.Clients.Clear();
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", "demo-client"), new("client_secret", "demo-secret")]),
        };

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.That(body, Does.Not.Contain("invalid_client"), "the client list was copied at start");
    }

    [Test]
    [Category("Integration")]
    public async Task DisposeAsync_Twice_DoesNotThrow()
    {
        var server = await DemoServer.StartAsync();

        await server.DisposeAsync();

        Assert.That(async () => await server.DisposeAsync(), Throws.Nothing);
    }
}
