using System.Text;
using DPoP.Http.AspNetCore.Internal;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.AspNetCore.Tests.Unit;

public sealed class UserSessionStoreTests
{
    private static readonly UserSession Session = new(
        "access-token-value", "DPoP", DateTimeOffset.UnixEpoch.AddHours(1), DateTimeOffset.UnixEpoch, "refresh-token-value", "openid", "{\"kty\":\"EC\",\"d\":\"private\"}");

    [Test]
    public async Task SetAsync_ThenGetAsync_ReturnsTheSession()
    {
        using var services = UnitServices.Build();
        var store = services.GetRequiredService<UserSessionStore>();

        await store.SetAsync("oidc", "s1", Session, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.That(await store.GetAsync("oidc", "s1", CancellationToken.None), Is.EqualTo(Session));
    }

    [Test]
    public async Task SetAsync_StoresNeitherTokensNorKeyInPlainText()
    {
        using var services = UnitServices.Build();
        var store = services.GetRequiredService<UserSessionStore>();
        var cache = services.GetRequiredService<IDistributedCache>();

        await store.SetAsync("oidc", "s1", Session, TimeSpan.FromMinutes(5), CancellationToken.None);
        var raw = Encoding.Latin1.GetString((await cache.GetAsync("DPoP.Http.AspNetCore:session:oidc:s1"))!);

        Assert.That(raw, Does.Not.Contain("access-token-value").And.Not.Contain("refresh-token-value").And.Not.Contain("private"));
    }

    [Test]
    public async Task GetAsync_OfAnotherScheme_FindsNothing()
    {
        using var services = UnitServices.Build();
        var store = services.GetRequiredService<UserSessionStore>();

        await store.SetAsync("oidc", "s1", Session, TimeSpan.FromMinutes(5), CancellationToken.None);

        Assert.That(await store.GetAsync("other", "s1", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task GetAsync_OfAnUnreadableEntry_RemovesItAndReturnsNull()
    {
        using var services = UnitServices.Build();
        var store = services.GetRequiredService<UserSessionStore>();
        var cache = services.GetRequiredService<IDistributedCache>();
        await cache.SetAsync("DPoP.Http.AspNetCore:session:oidc:s1", [1, 2, 3], new DistributedCacheEntryOptions());

        var session = await store.GetAsync("oidc", "s1", CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(session, Is.Null);
            Assert.That(await cache.GetAsync("DPoP.Http.AspNetCore:session:oidc:s1"), Is.Null, "removed, to be replaced at the next sign-in");
        });
    }

    [Test]
    public void ToString_ShowsNoTokenOrKey()
    {
        Assert.That(Session.ToString(), Does.Not.Contain("access-token-value").And.Not.Contain("refresh-token-value").And.Not.Contain("private"));
    }
}
