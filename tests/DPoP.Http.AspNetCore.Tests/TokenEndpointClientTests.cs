using System.Net;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// The app's configuration of the scheme's token endpoint clients (<c>ConfigureDPoPOpenIdConnectTokenEndpointClient()</c>,
/// where a client certificate for mutual TLS goes) carries the code exchange, the app tokens and the revocation at
/// sign-out, against oidc-provider.
/// </summary>
public sealed class TokenEndpointClientTests : InteropTest
{
    [Test]
    public async Task AppsPrimaryHandler_CarriesCodeExchange_AppTokens_AndRevocation()
    {
        var primary = new RecordingPrimaryHandler();
        await using var app = await WebApp.StartAsync(configureServices: services =>
            services.ConfigureDPoPOpenIdConnectTokenEndpointClient(WebApp.Scheme, token => token.ConfigurePrimaryHttpMessageHandler(() => primary)));
        using var alice = new BrowserUser("alice", app.BaseAddress);

        using var signedIn = await alice.SignInAsync();
        using var userCall = await alice.GetAsync("api");
        var user = await ApiResult.ReadAsync(userCall);
        using var appCall = await alice.GetAsync("app-api");
        var appToken = await ApiResult.ReadAsync(appCall);
        using var signedOut = await alice.GetAsync("logout");

        var seen = primary.Requests.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(user.ApiStatus, Is.EqualTo(200), user.ApiError);
            Assert.That(appToken.ApiStatus, Is.EqualTo(200), appToken.ApiError);
            Assert.That(seen, Has.Some.EndsWith(" authorization_code"), "the code exchange: " + string.Join(", ", seen));
            Assert.That(seen, Has.Some.EndsWith(" client_credentials"), "the app token: " + string.Join(", ", seen));
            Assert.That(seen, Has.Some.Contains("revoc"), "the revocation at sign-out: " + string.Join(", ", seen));
            Assert.That(primary.Sockets.AllowAutoRedirect, Is.False, "redirects off on the app's own primary handler");
        });
    }
}
