using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DPoP.Http.AspNetCore;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// Per-resource user tokens (RFC 8707) against oidc-provider: a sign-in granted two resources, the second one's token
/// obtained by refresh with <c>resource</c> and kept in the session beside the first, both bound to the session key.
/// </summary>
public sealed class PerResourceUserTokenTests : InteropTest
{
    private static string OpaqueResource => InteropServers.AuthorizationServer.OpaqueResource;

    [Test]
    public async Task TwoResources_GetTwoDifferentTokens_EachForItsAudience_BothBoundToTheSessionKey()
    {
        await using var app = await StartWithTwoResourcesAsync();
        var alice = await SignInAsync(app);
        var tokens = app.Services.GetRequiredService<IDPoPUserAccessTokens>();
        var mark = InteropServers.Log.Count;

        using var jwt = await tokens.GetAccessTokenAsync(alice, WebApp.Scheme);
        using var opaque = await tokens.GetAccessTokenAsync(alice, WebApp.Scheme, new DPoPUserAccessTokenOptions { Resource = OpaqueResource });
        using var opaqueAgain = await tokens.GetAccessTokenAsync(alice, WebApp.Scheme, new DPoPUserAccessTokenOptions { Resource = OpaqueResource });
        var jwtAnswer = await UserTokenCalls.CallOrdersAsync(jwt);
        var opaqueAnswer = await UserTokenCalls.CallOrdersAsync(opaque);

        Assert.Multiple(() =>
        {
            Assert.That(opaque.AccessToken, Is.Not.EqualTo(jwt.AccessToken), "two tokens");
            Assert.That(JwtAudience(jwt.AccessToken), Is.EqualTo(InteropServers.AuthorizationServer.JwtResource));
            Assert.That(jwtAnswer.Status, Is.EqualTo(HttpStatusCode.OK), jwtAnswer.Body.GetRawText());
            Assert.That(opaqueAnswer.Status, Is.EqualTo(HttpStatusCode.OK), "the resource server's introspection found the opaque resource in aud: " + opaqueAnswer.Body.GetRawText());
            Assert.That(opaqueAnswer.Body.GetProperty("tokenFormat").GetString(), Is.EqualTo("opaque"));
            Assert.That(jwtAnswer.Body.GetProperty("jkt").GetString(), Is.EqualTo(jwt.Key.JwkThumbprint));
            Assert.That(opaqueAnswer.Body.GetProperty("jkt").GetString(), Is.EqualTo(jwt.Key.JwkThumbprint), "bound to the same session key");
            Assert.That(opaqueAgain.AccessToken, Is.EqualTo(opaque.AccessToken), "kept in the session: asked again, no new refresh");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "one refresh, for the opaque resource");
        });
    }

    [Test]
    public async Task AddDPoPUserAccessToken_WithAResource_SendsThatResourcesToken_AndRenewalIsPerResource()
    {
        await using var app = await StartWithTwoResourcesAsync(services => services
            .AddHttpClient("opaque-api", c => c.BaseAddress = InteropServers.ResourceServer)
            .AddDPoP()
            .AddDPoPUserAccessToken(WebApp.Scheme, o => o.Resource = OpaqueResource));
        var alice = await SignInAsync(app);
        var tokens = app.Services.GetRequiredService<IDPoPUserAccessTokens>();
        var factory = app.Services.GetRequiredService<IHttpClientFactory>();
        var opaqueOptions = new DPoPUserAccessTokenOptions { Resource = OpaqueResource };

        string first;
        using (DPoPUserScope.Begin(alice))
        {
            first = await factory.CreateClient("opaque-api").GetStringAsync("orders");
        }

        using var signInToken = await tokens.GetAccessTokenAsync(alice, WebApp.Scheme);
        var mark = InteropServers.Log.Count;
        using var renewed = await tokens.RenewAccessTokenAsync(alice, WebApp.Scheme, opaqueOptions);
        using var signInAfter = await tokens.GetAccessTokenAsync(alice, WebApp.Scheme);
        using var opaqueAfter = await tokens.GetAccessTokenAsync(alice, WebApp.Scheme, opaqueOptions);

        Assert.Multiple(() =>
        {
            Assert.That(JsonDocument.Parse(first).RootElement.GetProperty("tokenFormat").GetString(), Is.EqualTo("opaque"), "the client sent the opaque resource's token");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "one refresh for the forced renewal");
            Assert.That(opaqueAfter.AccessToken, Is.EqualTo(renewed.AccessToken), "the renewed resource token is stored");
            Assert.That(signInAfter.AccessToken, Is.EqualTo(signInToken.AccessToken), "the sign-in's token is left alone");
        });
    }

    [Test]
    public async Task ConcurrentRefreshesForTwoResources_RunOneAfterTheOther_AndNeitherRefreshTokenIsRefused()
    {
        await using var app = await StartWithTwoResourcesAsync();
        var alice = await SignInAsync(app);
        var tokens = app.Services.GetRequiredService<IDPoPUserAccessTokens>();
        var opaqueOptions = new DPoPUserAccessTokenOptions { Resource = OpaqueResource };
        app.Clock.Advance(WebApp.PastExpiry); // the sign-in's token is due, the opaque one is not there yet
        var mark = InteropServers.Log.Count;

        // Both need the one refresh token at once; sent twice, its rotation would make oidc-provider end the grant.
        var calls = Enumerable.Range(0, 10).Select(i => tokens.GetAccessTokenAsync(alice, WebApp.Scheme, i % 2 == 0 ? null : opaqueOptions)).ToList();
        var results = await Task.WhenAll(calls);
        using var next = await tokens.RenewAccessTokenAsync(alice, WebApp.Scheme);

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.AccessToken).Distinct().Count(), Is.EqualTo(2), "one token per resource");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(3), "one refresh per resource, then the renewal with the last rotated refresh token");
            Assert.That(ProviderLog.Count(mark, "invalid_grant"), Is.Zero, "no refresh token sent twice");
        });

        foreach (var result in results)
        {
            result.Dispose();
        }
    }

    /// <summary>
    /// The app, its sign-in asking for both resources: RFC 8707 §2 lets <c>resource</c> repeat, which
    /// <c>OpenIdConnectMessage</c> cannot hold, so the app sends the redirect itself (PAR off).
    /// </summary>
    private static Task<WebApp> StartWithTwoResourcesAsync(Action<IServiceCollection>? configureServices = null) => WebApp.StartAsync(
        o =>
        {
            o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable;
            o.Events.OnRedirectToIdentityProvider = context =>
            {
                context.Properties.Items[OpenIdConnectDefaults.RedirectUriForCodePropertiesKey] = context.ProtocolMessage.RedirectUri;
                context.ProtocolMessage.State = context.Options.StateDataFormat.Protect(context.Properties);
                context.Response.Redirect(context.ProtocolMessage.CreateAuthenticationRequestUrl() + "&resource=" + Uri.EscapeDataString(OpaqueResource));
                context.HandleResponse();
                return Task.CompletedTask;
            };
        },
        configureServices: configureServices);

    private static async Task<System.Security.Claims.ClaimsPrincipal> SignInAsync(WebApp app)
    {
        using var browser = new BrowserUser("alice", app.BaseAddress);
        return await UserTokenCalls.SignInAndCaptureAsync(app, browser);
    }

    private static string? JwtAudience(string jwt)
    {
        var payload = jwt.Split('.')[1];
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload.Replace('-', '+').Replace('_', '/').PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
        using var document = JsonDocument.Parse(json);
        var aud = document.RootElement.GetProperty("aud");
        return aud.ValueKind == JsonValueKind.Array ? aud[0].GetString() : aud.GetString();
    }
}
