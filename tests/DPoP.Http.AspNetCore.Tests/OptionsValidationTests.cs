using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.Options;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>Settings that would defeat DPoP stop the app at start-up, with a message naming the scheme and the property.</summary>
public sealed class OptionsValidationTests : InteropTest
{
    [TestCase("UsePkce")]
    [TestCase("GetClaimsFromUserInfoEndpoint")]
    [TestCase("ResponseType")]
    public void Start_WithOpenIdConnectSettingThatDefeatsDPoP_FailsNamingSchemeAndProperty(string property)
    {
        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => WebApp.StartAsync(o =>
        {
            switch (property)
            {
                case "UsePkce":
                    o.UsePkce = false;
                    break;
                case "GetClaimsFromUserInfoEndpoint":
                    o.GetClaimsFromUserInfoEndpoint = true;
                    break;
                default:
                    o.ResponseType = "code id_token";
                    break;
            }
        }));

        Assert.That(failure!.Message, Does.Contain($"OpenID Connect scheme '{WebApp.Scheme}' (DPoP): {property}"));
    }

    [Test]
    public void Start_WithConfiguredKeyAndKeyPerSession_FailsNamingSchemeAndProperty()
    {
        var failure = Assert.ThrowsAsync<OptionsValidationException>(() => WebApp.StartAsync(configureDPoP: o => o.PrivateKey = "-----BEGIN PRIVATE KEY-----"));

        Assert.That(failure!.Message, Does.Contain($"DPoP options of OpenID Connect scheme '{WebApp.Scheme}': KeyPerSession"));
    }

    [Test]
    public async Task AppWideKey_SignsEverySession_AndTheProviderAcceptsIt()
    {
        using var key = DPoPKey.Generate();
        await using var app = await WebApp.StartAsync(configureDPoP: o =>
        {
            o.KeyPerSession = false;
            o.PrivateKey = key.PrivateKeyPem;
        });
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var bob = new BrowserUser("bob", app.BaseAddress);
        using (await alice.SignInAsync())
        using (await bob.SignInAsync())
        {
        }

        using var aliceResponse = await alice.GetAsync("api");
        using var bobResponse = await bob.GetAsync("api");
        var aliceApi = await ApiResult.ReadAsync(aliceResponse);
        var bobApi = await ApiResult.ReadAsync(bobResponse);
        var (_, stored) = await WebSignInTests.StoredSessionAsync(app, "alice");

        Assert.Multiple(() =>
        {
            Assert.That(aliceApi.TokenJkt, Is.EqualTo(key.JwkThumbprint));
            Assert.That(bobApi.TokenJkt, Is.EqualTo(key.JwkThumbprint));
            Assert.That(aliceApi.TokenSubject, Is.EqualTo("alice"));
            Assert.That(bobApi.TokenSubject, Is.EqualTo("bob"));
            Assert.That(stored.PrivateJwk, Is.Null, "no key stored with the session");
        });
    }
}
