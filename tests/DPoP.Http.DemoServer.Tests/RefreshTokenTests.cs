using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>The refresh token grant: rotation, the key binding (RFC 9449 §5), reuse detection and the grant counter.</summary>
internal sealed class RefreshTokenTests : CodeFlowTest
{
    [Test]
    public async Task Refresh_SameKey_AnswersNewTokensAndCountsOneRefreshGrant()
    {
        using var key = DPoPKey.Generate();
        var tokens = await Client.SignInAndRedeemAsync(key);
        var refreshToken = tokens.GetProperty("refresh_token").GetString()!;
        var before = Server.Statistics.RefreshTokenGrants;

        using var response = await Client.RefreshAsync(key, refreshToken);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("DPoP"));
            Assert.That(body.GetProperty("refresh_token").GetString(), Is.Not.EqualTo(refreshToken));
            Assert.That(body.GetProperty("access_token").GetString(), Is.Not.EqualTo(tokens.GetProperty("access_token").GetString()));
            Assert.That(Jwt.Payload(body.GetProperty("access_token").GetString()!).GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(Jwt.Payload(body.GetProperty("access_token").GetString()!).GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo(tokens.GetProperty("scope").GetString()));
            Assert.That(Server.Statistics.RefreshTokenGrants, Is.EqualTo(before + 1));
            Assert.That(Server.Statistics.GrantsOf("refresh_token"), Is.EqualTo(before + 1));
            Assert.That(Server.Events, Has.Some.Matches<DemoServerEvent>(e => e.Kind == DemoServerEventKinds.TokenIssued && e.Detail.EndsWith("for alice (refresh_token)", StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task Refresh_RotatedToken_NewOneWorksOldOneIsRefused()
    {
        using var key = DPoPKey.Generate();
        var first = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;
        using var rotation = await Client.RefreshAsync(key, first);
        var second = (await DemoServerClient.ReadJsonAsync(rotation)).GetProperty("refresh_token").GetString()!;

        using var third = await Client.RefreshAsync(key, second);

        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Refresh_OldTokenAfterRotation_Returns400InvalidGrantAndRevokesTheGrant()
    {
        using var key = DPoPKey.Generate();
        var first = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;
        using var rotation = await Client.RefreshAsync(key, first);
        var second = (await DemoServerClient.ReadJsonAsync(rotation)).GetProperty("refresh_token").GetString()!;

        using var replay = await Client.RefreshAsync(key, first);
        var replayError = await CodeFlowClient.ErrorOf(replay);
        using var afterReplay = await Client.RefreshAsync(key, second);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(replayError, Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "refresh token already used (rotated); its grant is revoked")));
            Assert.That(await CodeFlowClient.ErrorOf(afterReplay), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "refresh token unknown, expired or revoked")));
        });
    }

    [Test]
    public async Task Refresh_OtherKey_Returns400InvalidGrantAndLeavesTheTokenUsable()
    {
        using var key = DPoPKey.Generate();
        using var thief = DPoPKey.Generate();
        var refreshToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;

        using var stolen = await Client.RefreshAsync(thief, refreshToken);
        var error = await CodeFlowClient.ErrorOf(stolen);
        using var legitimate = await Client.RefreshAsync(key, refreshToken);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "DPoP proof key does not match the refresh token's binding")));
            Assert.That(legitimate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Refresh_WithoutProof_Returns400InvalidDPoPProof()
    {
        using var key = DPoPKey.Generate();
        var refreshToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;

        using var response = await Client.PostTokenAsync(null, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)]);

        Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("invalid_dpop_proof"));
    }

    [Test]
    public async Task Refresh_ConcurrentUsesOfOneToken_ExactlyOneSucceeds()
    {
        using var key = DPoPKey.Generate();
        var refreshToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;
        var before = Server.Statistics.RefreshTokenGrants;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Client.RefreshAsync(key, refreshToken)));
        var statuses = responses.Select(r => r.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.EqualTo(1));
            Assert.That(Server.Statistics.RefreshTokenGrants, Is.EqualTo(before + 1));
        });
    }

    [Test]
    public async Task Refresh_WiderScope_Returns400InvalidScope()
    {
        using var key = DPoPKey.Generate();
        var refreshToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;

        using var response = await Client.PostTokenAsync(key, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken), new("scope", "openid admin")]);

        Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("invalid_scope"));
    }

    [Test]
    public async Task Refresh_NarrowerScope_IsGranted()
    {
        using var key = DPoPKey.Generate();
        var refreshToken = (await Client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;

        using var response = await Client.PostTokenAsync(key, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken), new("scope", "openid")]);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("openid"), body.ToString());
    }

    [Test]
    public async Task Refresh_ExpiredToken_Returns400InvalidGrant()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await DemoServer.StartAsync(new DemoServerOptions
        {
            TimeProvider = clock,
            RefreshTokenLifetime = TimeSpan.FromSeconds(30),
            ProofLifetime = TimeSpan.FromMinutes(5),
        });
        using var client = new CodeFlowClient(server);
        using var key = DPoPKey.Generate();
        var refreshToken = (await client.SignInAndRedeemAsync(key)).GetProperty("refresh_token").GetString()!;
        clock.Advance(TimeSpan.FromSeconds(31));

        using var response = await client.RefreshAsync(key, refreshToken);

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "refresh token unknown, expired or revoked")));
    }
}
