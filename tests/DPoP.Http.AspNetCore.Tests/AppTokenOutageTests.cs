using System.Net;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// App tokens through the OpenID Connect scheme (<c>AddDPoPClientCredentialsToken("oidc")</c>) keep the hardening of the
/// core provider (issue 21): inside the renewal window, a token endpoint outage does not fail API calls while the
/// cached token is valid.
/// </summary>
public sealed class AppTokenOutageTests : InteropTest
{
    /// <summary>The token endpoint client of the app's "app" HttpClient, as the scheme registration names it.</summary>
    private const string TokenClientName = "app.DPoP.Http.AspNetCore.client-credentials";

    [Test]
    public async Task ClientCredentialsFromTheScheme_TokenValidFor50sAndTokenEndpoint503_KeepsServingTheCachedToken()
    {
        var gate = new TokenEndpointGate();
        await using var app = await WebApp.StartAsync(configureServices: services =>
            services.AddHttpClient(TokenClientName).AddHttpMessageHandler(() => gate));
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);
        var tokens = app.Services.GetRequiredService<IDPoPClientAccessTokens>();
        var cached = await tokens.GetAccessTokenAsync("app");

        app.Clock.Advance(cached.ExpiresAt - app.Clock.GetUtcNow() - TimeSpan.FromSeconds(50));
        gate.Unavailable = true;
        using var response = await anonymous.GetAsync("app-api");
        var status = response.StatusCode;
        var result = status == HttpStatusCode.OK ? await ApiResult.ReadAsync(response) : null;
        await gate.Refused.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the renewal in the background met the outage
        var still = await tokens.GetAccessTokenAsync("app");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "the app's call did not fail");
            Assert.That(result?.ApiStatus, Is.EqualTo(200), result?.ApiError);
            Assert.That(result?.TokenJkt, Is.EqualTo(cached.Key.JwkThumbprint));
            Assert.That(still.AccessToken, Is.EqualTo(cached.AccessToken), "the cached token is still served");
        });
    }

    /// <summary>Answers 503 for the token endpoint while <see cref="Unavailable"/>.</summary>
    private sealed class TokenEndpointGate : DelegatingHandler
    {
        public volatile bool Unavailable;

        public TaskCompletionSource Refused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (!Unavailable)
            {
                return base.SendAsync(request, cancellationToken);
            }

            Refused.TrySetResult();
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = new StringContent("{\"error\":\"temporarily_unavailable\"}", System.Text.Encoding.UTF8, "application/json"),
            });
        }
    }
}
