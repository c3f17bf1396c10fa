using System.Net;
using System.Text.Json;
using DPoP.Http.InteropTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests;

/// <summary>
/// Token exchange (RFC 8693) with DPoP against oidc-provider's token-exchange grant (tests/interop/as.mjs): an API that
/// received a caller's opaque token exchanges it for a DPoP-bound JWT for the downstream resource, which the
/// jose-validated resource server accepts.
/// </summary>
public sealed class TokenExchangeTests : InteropTest
{
    [Test]
    public async Task ExchangeToken_CallersToken_DPoPBoundTokenForTheDownstreamResource_AcceptedByTheResourceServer()
    {
        var server = InteropServers.AuthorizationServer;
        using var caller = new InteropClients("exchange-caller");
        var callerToken = await new DPoPTokenClient(caller.Token, TokenOptions.For(server.BasicClient, server.OpaqueResource)).RequestClientCredentialsTokenAsync();
        using var api = new InteropClients("exchange-api");
        var apiKey = await api.GetKeyAsync(api.TokenKeyName);
        var exchangeOptions = TokenOptions.For(server.ExchangeClient, server.JwtResource);
        exchangeOptions.Resources.Clear();
        exchangeOptions.Scope = null;
        var tokenClient = new DPoPTokenClient(api.Token, exchangeOptions);

        var exchanged = await tokenClient.ExchangeTokenAsync(new DPoPTokenExchangeRequest
        {
            SubjectToken = callerToken.AccessToken,
            Resources = { server.JwtResource },
            Scope = "orders:read",
        });

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(InteropServers.ResourceServer, "orders/1"));
        request.SetDPoPAccessToken(exchanged.AccessToken);
        var (status, body) = await api.SendWithTokenClientAsync(request);
        var payload = JwtParts.Payload(exchanged.AccessToken);
        Assert.Multiple(() =>
        {
            Assert.That(exchanged.IsDPoPBound, Is.True);
            Assert.That(exchanged.AccessToken, Is.Not.EqualTo(callerToken.AccessToken));
            Assert.That(payload.GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(apiKey.JwkThumbprint));
            Assert.That(payload.GetProperty("aud").ToString(), Does.Contain(server.JwtResource));
            Assert.That(payload.GetProperty("scope").GetString(), Is.EqualTo("orders:read"));
            Assert.That(api.TokenExchanges.All.Select(e => e.Error), Does.Contain("use_dpop_nonce"), "the exchange met the nonce challenge: " + api.TokenExchanges);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("jkt").GetString(), Is.EqualTo(apiKey.JwkThumbprint));
        });
    }

    [Test]
    public async Task AddDPoPTokenExchange_CallsOnBehalfOfTheCaller_OneExchangePerCallerToken()
    {
        var server = InteropServers.AuthorizationServer;
        using var caller = new InteropClients("exchange-source-caller");
        var callerToken = await new DPoPTokenClient(caller.Token, TokenOptions.For(server.BasicClient, server.OpaqueResource)).RequestClientCredentialsTokenAsync();
        var callerTokenKey = new HttpRequestOptionsKey<string>("caller-token");
        var outer = new ExchangeRecorder();
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new RecordingHandler(outer)));
        services.AddHttpClient("downstream", c => c.BaseAddress = InteropServers.ResourceServer)
            .AddDPoP(o => o.KeyName = "exchange-source")
            .AddDPoPTokenExchange(
                o =>
                {
                    TokenOptions.Configure(o, server.ExchangeClient, server.JwtResource);
                    o.Resources.Clear();
                },
                (request, _) => ValueTask.FromResult(request.Options.TryGetValue(callerTokenKey, out var token) ? token : null),
                r => r.Resources.Add(server.JwtResource));
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");
        var key = await provider.GetRequiredService<IDPoPKeyProvider>().GetKeyAsync("exchange-source", CancellationToken.None);

        var answers = new List<(HttpStatusCode Status, string Body)>();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"orders/{i}", UriKind.Relative));
            request.Options.Set(callerTokenKey, callerToken.AccessToken);
            using var response = await http.SendAsync(request);
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        var exchanges = outer.All.Where(e => e.Uri == server.TokenEndpoint && e.Status == 200).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(HttpStatusCode.OK), string.Join("\n", answers.Select(a => a.Body)));
            Assert.That(answers.Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("jkt").GetString()), Is.All.EqualTo(key.JwkThumbprint));
            Assert.That(answers.Select(a => JsonDocument.Parse(a.Body).RootElement.GetProperty("tokenFormat").GetString()), Is.All.EqualTo("jwt"));
            Assert.That(exchanges, Has.Count.EqualTo(1), outer.ToString());
        });
    }

    [Test]
    public async Task ExchangeToken_UnknownSubjectToken_InvalidGrant()
    {
        var server = InteropServers.AuthorizationServer;
        using var api = new InteropClients("exchange-invalid");
        var options = TokenOptions.For(server.ExchangeClient, server.JwtResource);
        options.Resources.Clear();
        var tokenClient = new DPoPTokenClient(api.Token, options);

        var error = Assert.ThrowsAsync<DPoPTokenException>(() => tokenClient.ExchangeTokenAsync(new DPoPTokenExchangeRequest { SubjectToken = "not-a-token-of-this-server" }))!;

        Assert.That(error.Error, Is.EqualTo("invalid_grant"));
    }
}
