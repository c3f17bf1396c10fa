using DPoP.Http.AspNetCore.Internal;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.AspNetCore.Tests.Unit;

public sealed class SessionKeysTests
{
    [Test]
    public async Task AddToChallenge_ThenTakeFromCallback_ReturnsTheSameKey_AndRemovesItFromTheProperties()
    {
        using var services = UnitServices.Build();
        var keys = services.GetRequiredService<SessionKeys>();
        var properties = new AuthenticationProperties();
        using var key = await keys.CreateForSignInAsync("oidc", CancellationToken.None);

        keys.AddToChallenge("oidc", properties, key);
        var carried = properties.Items[SessionKeys.PropertiesItem("oidc")]!;
        var (back, jwk) = await keys.TakeFromCallbackAsync("oidc", properties, CancellationToken.None);
        using var _ = back;

        Assert.Multiple(() =>
        {
            Assert.That(back.JwkThumbprint, Is.EqualTo(key.JwkThumbprint));
            Assert.That(jwk, Is.Not.Null);
            Assert.That(carried, Does.Not.Contain(key.PublicJwk["x"]), "protected, not the JWK in plain text");
            Assert.That(properties.Items, Does.Not.ContainKey(SessionKeys.PropertiesItem("oidc")), "never reaches the cookie");
        });
    }

    [Test]
    public async Task CreateForSignIn_GivesEachSignInItsOwnKey()
    {
        using var services = UnitServices.Build();
        var keys = services.GetRequiredService<SessionKeys>();

        using var first = await keys.CreateForSignInAsync("oidc", CancellationToken.None);
        using var second = await keys.CreateForSignInAsync("oidc", CancellationToken.None);

        Assert.That(first.JwkThumbprint, Is.Not.EqualTo(second.JwkThumbprint));
    }

    [Test]
    public async Task CreateForSignIn_WithAnAppWideKey_ReturnsIt_AndCarriesNothingInTheState()
    {
        using var appKey = DPoPKey.Generate(DPoPAlgorithms.ES384);
        using var services = UnitServices.Build(configureDPoP: o =>
        {
            o.KeyPerSession = false;
            o.PrivateKey = appKey.PrivateKeyPem;
        });
        var keys = services.GetRequiredService<SessionKeys>();
        var properties = new AuthenticationProperties();

        var key = await keys.CreateForSignInAsync("oidc", CancellationToken.None);
        keys.AddToChallenge("oidc", properties, key);
        var (back, jwk) = await keys.TakeFromCallbackAsync("oidc", properties, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(key.JwkThumbprint, Is.EqualTo(appKey.JwkThumbprint));
            Assert.That(back, Is.SameAs(key));
            Assert.That(jwk, Is.Null, "nothing to store with the session");
            Assert.That(properties.Items, Is.Empty);
        });
    }

    [Test]
    public void TakeFromCallback_WithoutAKeyInTheState_FailsClearly()
    {
        using var services = UnitServices.Build();
        var keys = services.GetRequiredService<SessionKeys>();

        var failure = Assert.ThrowsAsync<InvalidOperationException>(async () => await keys.TakeFromCallbackAsync("oidc", new AuthenticationProperties(), CancellationToken.None));

        Assert.That(failure!.Message, Does.Contain("'oidc'").And.Contain("no DPoP key"));
    }
}
