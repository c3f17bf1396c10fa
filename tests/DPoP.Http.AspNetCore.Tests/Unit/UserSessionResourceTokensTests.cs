using System.Security.Claims;
using System.Text.Json;
using DPoP.Http.AspNetCore.Internal;

namespace DPoP.Http.AspNetCore.Tests.Unit;

/// <summary>The session record's per-resource tokens and the ambient user scope, without a provider.</summary>
public sealed class UserSessionResourceTokensTests
{
    [Test]
    public void Deserialize_ASessionStoredBeforePerResourceTokens_HasNone()
    {
        const string stored = """{"at":"a","tt":"DPoP","exp":"2026-01-01T01:00:00+00:00","iat":"2026-01-01T00:00:00+00:00","rt":"r","scope":"openid","key":null}""";

        var session = JsonSerializer.Deserialize(stored, UserSessionJsonContext.Default.UserSession)!;

        Assert.Multiple(() =>
        {
            Assert.That(session.ResourceTokens, Is.Null);
            Assert.That(session.TokenFor(new TokenTarget("https://other.example", null)), Is.Null);
            Assert.That(session.TokenFor(default)!.AccessToken, Is.EqualTo("a"));
        });
    }

    [Test]
    public void ResourceTokens_RoundTripThroughTheStoredForm_PerResourceAndScope()
    {
        var target = new TokenTarget("https://other.example", "read");
        var session = new UserSession("a", "DPoP", DateTimeOffset.UnixEpoch.AddHours(1), DateTimeOffset.UnixEpoch, "r1", "openid", null,
            new Dictionary<string, SessionAccessToken> { [target.Key!] = new("b", "DPoP", DateTimeOffset.UnixEpoch.AddMinutes(5), DateTimeOffset.UnixEpoch, "read") });

        var roundTripped = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(session, UserSessionJsonContext.Default.UserSession), UserSessionJsonContext.Default.UserSession)!;

        Assert.Multiple(() =>
        {
            Assert.That(roundTripped.TokenFor(default)!.AccessToken, Is.EqualTo("a"));
            Assert.That(roundTripped.TokenFor(target)!.AccessToken, Is.EqualTo("b"));
            Assert.That(roundTripped.TokenFor(new TokenTarget("https://other.example", null)), Is.Null, "another scope is another token");
            Assert.That(session.ToString(), Does.Not.Contain("r1").And.Not.Contain("\"b\""));
            Assert.That(session.TokenFor(target)!.ToString(), Does.Not.Contain("\"b\"").And.Not.Contain("= b"));
        });
    }

    [Test]
    public void Begin_ThenDispose_RestoresTheOuterScope()
    {
        var outerUser = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "alice")], "test"));
        var innerUser = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "bob")], "test"));

        using var outer = DPoPUserScope.Begin(outerUser);
        ClaimsPrincipal? inside;
        using (DPoPUserScope.Begin(innerUser))
        {
            inside = DPoPUserScope.Current?.User;
        }

        Assert.Multiple(() =>
        {
            Assert.That(inside, Is.SameAs(innerUser));
            Assert.That(DPoPUserScope.Current?.User, Is.SameAs(outerUser));
        });
    }
}
