using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using DPoP.Http.Tests.Fleet;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// <see cref="IDPoPClientAccessTokens"/> with <c>AddDPoPClientCredentialsToken()</c>, against the demo authorization and
/// resource server on 127.0.0.1: the token handed out is the one the client's HttpClient sends (proofs checked by the
/// independent verifier), forced renewals and removals are shared with the HttpClient.
/// </summary>
[Category("Integration")]
public sealed class ClientAccessTokensTests
{
    /// <summary>The API client "orders", recording (inside its DPoP handler) what each request finally carried.</summary>
    internal sealed class App : IDisposable
    {
        private readonly ServiceProvider _services;
        private int _handlersBuilt;

        public App(DemoServerHost server, Action<IServiceCollection>? register = null, Action<IHttpClientBuilder>? client = null)
        {
            var services = new ServiceCollection();
            register?.Invoke(services);
            var builder = services.AddHttpClient("orders", c => c.BaseAddress = server.ApiBaseAddress)
                .AddDPoP()
                .AddDPoPClientCredentialsToken(o =>
                {
                    o.TokenEndpoint = server.TokenEndpoint;
                    o.ClientId = "demo-client";
                    o.ClientSecret = "demo-secret";
                    o.Scope = "orders";
                })
                .AddHttpMessageHandler(() =>
                {
                    Interlocked.Increment(ref _handlersBuilt);
                    return new Recorder(Sent);
                });
            client?.Invoke(builder);
            services.AddHttpClient(DPoPClientRegistry.TokenClientName("orders")).AddHttpMessageHandler(() => new Gate(this));
            _services = services.BuildServiceProvider();
            Counts = new TokenCounts(_services);
        }

        /// <summary>The Authorization header and DPoP proof of every request the HttpClient sent, nonce retries included.</summary>
        public ConcurrentQueue<(string? Authorization, string Proof)> Sent { get; } = new();

        public int HandlersBuilt => Volatile.Read(ref _handlersBuilt);

        /// <summary>While set and not completed, token requests wait for it (so that concurrent callers surely overlap).</summary>
        public TaskCompletionSource? TokenEndpointGate { get; set; }

        public IServiceProvider Services => _services;

        public IDPoPClientAccessTokens Tokens => _services.GetRequiredService<IDPoPClientAccessTokens>();

        public ClientCredentialsTokenProvider Provider => (ClientCredentialsTokenProvider)_services.GetRequiredKeyedService<IDPoPAccessTokenProvider>("orders");

        /// <summary>The app's token requests and shared-cache hits, from its metrics.</summary>
        public TokenCounts Counts { get; }

        /// <summary>Calls the API through the HttpClient; returns the status and the access token the successful attempt carried.</summary>
        public async Task<(HttpStatusCode Status, string? Token)> CallAsync(string path = "orders")
        {
            using var response = await _services.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri(path, UriKind.Relative));
            var (authorization, proof) = Sent.Last();
            var verified = IndependentProofVerifier.Verify(proof);
            var token = authorization?["DPoP ".Length..];
            Assert.That(verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth(token!)), "the proof is bound to the token it carries");
            return (response.StatusCode, token);
        }

        public void Dispose()
        {
            Counts.Dispose();
            _services.Dispose();
        }

        /// <summary>
        /// What a SignalR or gRPC caller does with <paramref name="token"/>: its own proof per request (checked by the
        /// independent verifier), answering the demo API's nonce challenge once. Returns the first answer's status, the
        /// last answer's status and the JWK thumbprint the API saw (null unless it accepted the token).
        /// </summary>
        public static async Task<(HttpStatusCode Challenge, HttpStatusCode Status, string? Jkt)> CallWithOwnProofAsync(DemoServerHost server, DPoPClientAccessToken token)
        {
            var uri = new Uri(server.ApiBaseAddress, "orders/7");
            using var plain = new HttpClient();

            async Task<HttpResponseMessage> SendAsync(string? nonce)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, uri);
                var proof = DPoPProof.Create(token.Key, "GET", uri.AbsoluteUri, token.AccessToken, nonce);
                foreach (var (name, value) in DPoPHeaders.Build(proof, token.AccessToken))
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                IndependentProofVerifier.Verify(proof);
                return await plain.SendAsync(request);
            }

            using var challenge = await SendAsync(nonce: null);
            using var response = challenge.Headers.TryGetValues(DPoPHeaders.Nonce, out var nonces) ? await SendAsync(nonces.Single()) : null;
            if (response?.StatusCode != HttpStatusCode.OK)
            {
                return (challenge.StatusCode, response?.StatusCode ?? challenge.StatusCode, null);
            }

            using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (challenge.StatusCode, response.StatusCode, echo.RootElement.GetProperty("jkt").GetString());
        }

        private sealed class Gate(App app) : DelegatingHandler
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (app.TokenEndpointGate is { } gate)
                {
                    await gate.Task.WaitAsync(cancellationToken);
                }

                return await base.SendAsync(request, cancellationToken);
            }
        }

        private sealed class Recorder(ConcurrentQueue<(string?, string)> sent) : DelegatingHandler
        {
            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                sent.Enqueue((request.Headers.Authorization?.ToString(), request.Headers.GetValues("DPoP").Single()));
                return base.SendAsync(request, cancellationToken);
            }
        }
    }

    [Test]
    public async Task GetAccessTokenAsync_ReturnsTheTokenTheHttpClientThenSends_WithOneTokenRequest()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var app = new App(server);

        var token = await app.Tokens.GetAccessTokenAsync("orders");
        var (status, sent) = await app.CallAsync();
        var again = await app.Tokens.GetAccessTokenAsync("orders");

        var clientKey = await app.Services.GetRequiredService<IDPoPKeyProvider>().GetKeyAsync("orders", CancellationToken.None);
        var proofKey = DPoPKey.ComputeJwkThumbprint(IndependentProofVerifier.Verify(app.Sent.Last().Proof).JwkJson);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sent, Is.EqualTo(token.AccessToken));
            Assert.That(again, Is.SameAs(token), "cached, and the same description");
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(1));
            Assert.That(token.IsDPoPBound, Is.True);
            Assert.That(token.TokenType, Is.EqualTo("DPoP"));
            Assert.That(token.Scope, Is.EqualTo("orders"));
            Assert.That(token.ExpiresAt, Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(4)));
            Assert.That(token.Key, Is.SameAs(clientKey), "the client's own key");
            Assert.That(token.Key.JwkThumbprint, Is.EqualTo(FleetInstance.CnfJkt(token.AccessToken)), "the token's cnf.jkt");
            Assert.That(proofKey, Is.EqualTo(token.Key.JwkThumbprint), "the HttpClient signs with it");
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_ProofBuiltFromTheResult_IsAcceptedByTheApi()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var app = new App(server);
        var token = await app.Tokens.GetAccessTokenAsync("orders");

        var (challenge, status, jkt) = await App.CallWithOwnProofAsync(server, token);

        Assert.Multiple(() =>
        {
            Assert.That(challenge, Is.EqualTo(HttpStatusCode.Unauthorized), "the demo API demands a nonce");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(jkt, Is.EqualTo(token.Key.JwkThumbprint));
        });
    }

    [Test]
    public async Task RenewAccessTokenAsync_GetsANewToken_WhichTheHttpClientThenSends()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var app = new App(server);
        var first = await app.Tokens.GetAccessTokenAsync("orders");

        var renewed = await app.Tokens.RenewAccessTokenAsync("orders");
        var (status, sent) = await app.CallAsync();

        Assert.Multiple(() =>
        {
            Assert.That(renewed.AccessToken, Is.Not.EqualTo(first.AccessToken));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sent, Is.EqualTo(renewed.AccessToken));
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(2));
            Assert.That(renewed.Key, Is.SameAs(first.Key));
        });
    }

    [Test]
    public async Task RenewAccessTokenAsync_TwentyConcurrentCalls_SendOneTokenRequest()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var app = new App(server);
        var first = await app.Tokens.GetAccessTokenAsync("orders");
        app.TokenEndpointGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var renewals = Enumerable.Range(0, 20).Select(_ => app.Tokens.RenewAccessTokenAsync("orders")).ToList();
        app.TokenEndpointGate.SetResult();
        var renewed = await Task.WhenAll(renewals);

        Assert.Multiple(() =>
        {
            Assert.That(renewed.Select(t => t.AccessToken).Distinct().Count(), Is.EqualTo(1));
            Assert.That(renewed[0].AccessToken, Is.Not.EqualTo(first.AccessToken));
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(2), "the first token, then one renewal for all 20");
        });
    }

    [Test]
    public async Task RenewAccessTokenAsync_WithHttpClientRequestsNeedingAToken_SharesOneTokenRequest()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var app = new App(server);
        var client = app.Services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        app.TokenEndpointGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Nothing cached yet: the requests and the forced renewals all wait for the same token request.
        var calls = Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await client.GetAsync(new Uri($"orders/{i}", UriKind.Relative));
            return response.StatusCode;
        }).ToList();
        var renewals = Enumerable.Range(0, 10).Select(_ => app.Tokens.RenewAccessTokenAsync("orders")).ToList();
        app.TokenEndpointGate.SetResult();
        var statuses = await Task.WhenAll(calls);
        var renewed = await Task.WhenAll(renewals);

        var sent = app.Sent.Select(s => s.Authorization).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(1));
            Assert.That(renewed.Select(t => t.AccessToken).Distinct(), Is.EqualTo(new[] { renewed[0].AccessToken }));
            Assert.That(sent, Is.EqualTo(new[] { "DPoP " + renewed[0].AccessToken }));
        });
    }

    [Test]
    public async Task RemoveAccessTokenAsync_TheNextHttpClientRequestGetsANewToken()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var app = new App(server);
        var (_, before) = await app.CallAsync();

        await app.Tokens.RemoveAccessTokenAsync("orders");
        var (status, after) = await app.CallAsync();
        var current = await app.Tokens.GetAccessTokenAsync("orders");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after, Is.Not.EqualTo(before));
            Assert.That(current.AccessToken, Is.EqualTo(after));
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(2));
        });
    }

    [Test]
    [Category("Slow")]
    public async Task CachedToken_OutlivesHandlerRecycling()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var app = new App(server, client: c => c.SetHandlerLifetime(TimeSpan.FromSeconds(1))); // IHttpClientFactory's minimum
        var token = await app.Tokens.GetAccessTokenAsync("orders");
        var (_, first) = await app.CallAsync();
        var handlers = app.HandlersBuilt;

        // Wait until the factory has retired the handler and builds a new pipeline (a new DPoP handler) for new clients.
        var factory = app.Services.GetRequiredService<IHttpClientFactory>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (app.HandlersBuilt == handlers && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            factory.CreateClient("orders").Dispose();
        }

        var recycled = app.HandlersBuilt > handlers;
        var (status, second) = await app.CallAsync();
        var again = await app.Tokens.GetAccessTokenAsync("orders");

        Assert.Multiple(() =>
        {
            Assert.That(recycled, Is.True, "a new handler pipeline was built");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(first, Is.EqualTo(token.AccessToken));
            Assert.That(second, Is.EqualTo(token.AccessToken), "the new handler uses the cached token");
            Assert.That(again, Is.SameAs(token));
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(1));
        });
    }
}
