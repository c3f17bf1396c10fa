using System.Net;
using System.Net.Http.Headers;
using DPoP.Http.DemoServer.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>Token revocation (RFC 7009) and RP-initiated logout.</summary>
internal sealed class RevocationAndEndSessionTests : CodeFlowTest
{
    private async Task<HttpResponseMessage> RevokeAsync(string token, string clientId = CodeFlowClient.ClientId, string secret = CodeFlowClient.ClientSecret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Server.RevocationEndpoint)
        {
            Content = new FormUrlEncodedContent([new("token", token), new("token_type_hint", "refresh_token")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", DemoServerClient.Basic(clientId, secret));
        return await Client.Http.SendAsync(request);
    }

    [Test]
    public async Task Revoke_RefreshToken_Returns200AndTheTokenNoLongerRefreshes()
    {
        using var key = DPoPKey.Generate();
        var refreshToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;
        var before = Server.Statistics.Revocations;

        using var revoke = await RevokeAsync(refreshToken);
        using var refresh = await Client.RefreshAsync(key, refreshToken);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await CodeFlowClient.ErrorOf(refresh), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "refresh token unknown, expired or revoked")));
            Assert.That(Server.Statistics.Revocations, Is.EqualTo(before + 1));
            Assert.That(Server.Events, Has.Some.Matches<DemoServerEvent>(e => e.Kind == DemoServerEventKinds.TokenRevoked));
        });
    }

    private async Task<HttpResponseMessage> CallApiAsync(DPoPKey key, string accessToken)
    {
        using var api = new DemoServerClient(Server);
        var orders = new Uri(Server.ApiBaseAddress, "orders");
        return await api.SendResourceAsync(key, accessToken, HttpMethod.Get, orders, await api.GetResourceNonceAsync());
    }

    [Test]
    public async Task Revoke_RefreshToken_AlsoRevokesTheAccessTokensOfItsGrant()
    {
        using var key = DPoPKey.Generate();
        var tokens = await Client.SignInAndRedeemAsync(key);

        using var revoke = await RevokeAsync(tokens.GetProperty("refresh_token").GetString()!);
        using var response = await CallApiAsync(key, tokens.GetProperty("access_token").GetString()!);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"invalid_token\"").And.Contain("access token revoked"));
        });
    }

    [Test]
    public async Task Revoke_AccessToken_TheApiRefusesItAndTheRefreshTokenStillWorks()
    {
        using var key = DPoPKey.Generate();
        var tokens = await Client.SignInAndRedeemAsync(key);
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        using var before = await CallApiAsync(key, accessToken);
        var revocationsBefore = Server.Statistics.Revocations;

        using var revoke = await RevokeAsync(accessToken);
        using var after = await CallApiAsync(key, accessToken);
        using var refresh = await Client.RefreshAsync(key, tokens.GetProperty("refresh_token").GetString()!);

        Assert.Multiple(() =>
        {
            Assert.That(before.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(after.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Server.Statistics.Revocations, Is.EqualTo(revocationsBefore + 1));
        });
    }

    [Test]
    public async Task Revoke_AnotherClientsAccessToken_LeavesItValid()
    {
        using var key = DPoPKey.Generate();
        var accessToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("access_token").GetString()!;

        using var revoke = await RevokeAsync(accessToken, DemoServerClient.ClientId, DemoServerClient.ClientSecret);
        using var response = await CallApiAsync(key, accessToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Revoke_RotatedRefreshToken_RevokesTheWholeGrant()
    {
        using var key = DPoPKey.Generate();
        var first = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;
        using var rotation = await Client.RefreshAsync(key, first);
        var second = (await DemoServerClient.ReadJsonAsync(rotation)).GetProperty("refresh_token").GetString()!;

        using var revoke = await RevokeAsync(first);
        using var refresh = await Client.RefreshAsync(key, second);

        Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Revoke_UnknownToken_Returns200()
    {
        var before = Server.Statistics.Revocations;

        using var response = await RevokeAsync("not-a-token");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Server.Statistics.Revocations, Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Revoke_AnotherClientsToken_Returns200ButLeavesItValid()
    {
        using var key = DPoPKey.Generate();
        var refreshToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;

        using var revoke = await RevokeAsync(refreshToken, DemoServerClient.ClientId, DemoServerClient.ClientSecret);
        using var refresh = await Client.RefreshAsync(key, refreshToken);

        Assert.Multiple(() =>
        {
            Assert.That(revoke.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(refresh.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Revoke_WrongSecret_Returns401InvalidClient()
    {
        using var response = await RevokeAsync("anything", CodeFlowClient.ClientId, "wrong");

        Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task EndSession_RegisteredPostLogoutRedirectUri_RedirectsWithState()
    {
        using var key = DPoPKey.Generate();
        var idToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("id_token").GetString()!;
        var before = Server.Statistics.EndSessions;
        var uri = QueryHelpers.AddQueryString(Server.EndSessionEndpoint.AbsoluteUri, new Dictionary<string, string?>
        {
            ["id_token_hint"] = idToken,
            ["post_logout_redirect_uri"] = "http://127.0.0.1:5999/signout-callback-oidc",
            ["state"] = "bye",
        });

        using var response = await Client.Http.GetAsync(new Uri(uri));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
            Assert.That(response.Headers.Location, Is.EqualTo(new Uri("http://127.0.0.1:5999/signout-callback-oidc?state=bye")));
            Assert.That(Server.Statistics.EndSessions, Is.EqualTo(before + 1));
            Assert.That(Server.Events, Has.Some.Matches<DemoServerEvent>(e => e.Kind == DemoServerEventKinds.SignedOut && e.Detail == "alice signed out of demo-web"));
        });
    }

    [Test]
    public async Task EndSession_ClientIdInsteadOfHint_Redirects()
    {
        var uri = QueryHelpers.AddQueryString(Server.EndSessionEndpoint.AbsoluteUri, new Dictionary<string, string?>
        {
            ["client_id"] = CodeFlowClient.ClientId,
            ["post_logout_redirect_uri"] = "http://localhost:5999/signout-callback-oidc",
        });

        using var response = await Client.Http.GetAsync(new Uri(uri));

        Assert.That(response.Headers.Location, Is.EqualTo(new Uri("http://localhost:5999/signout-callback-oidc")));
    }

    [TestCase("https://attacker.example/signout-callback-oidc")]
    [TestCase("http://127.0.0.1:5999/signin-oidc")]
    public async Task EndSession_UnregisteredPostLogoutRedirectUri_Returns400WithoutRedirect(string redirectUri)
    {
        var uri = QueryHelpers.AddQueryString(Server.EndSessionEndpoint.AbsoluteUri, new Dictionary<string, string?>
        {
            ["client_id"] = CodeFlowClient.ClientId,
            ["post_logout_redirect_uri"] = redirectUri,
        });

        using var response = await Client.Http.GetAsync(new Uri(uri));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Headers.Location, Is.Null);
        });
    }

    [Test]
    public async Task EndSession_ForgedIdTokenHint_Returns400()
    {
        using var key = DPoPKey.Generate();
        var idToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("id_token").GetString()!;
        var forged = Jwt.WithPayload(idToken, "{\"iss\":\"" + Server.Issuer + "\",\"sub\":\"bob\",\"aud\":\"demo-web\"}");

        using var response = await Client.Http.GetAsync(new Uri(QueryHelpers.AddQueryString(Server.EndSessionEndpoint.AbsoluteUri, "id_token_hint", forged)));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task EndSession_NoRedirectUri_ShowsSignedOutPage()
    {
        using var response = await Client.Http.GetAsync(Server.EndSessionEndpoint);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("You are signed out."));
        });
    }
}
