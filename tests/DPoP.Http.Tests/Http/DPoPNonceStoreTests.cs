using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.Tests.Http;

public sealed class DPoPNonceStoreTests
{
    [Test]
    public void SetNonce_IsKeyedByOrigin_NotPathOrQuery()
    {
        var store = new DPoPNonceStore();
        store.SetNonce(new Uri("https://a.example/token?x=1"), "n1");
        Assert.Multiple(() =>
        {
            Assert.That(store.GetNonce(new Uri("https://A.EXAMPLE:443/other/path")), Is.EqualTo("n1"));
            Assert.That(store.GetNonce(new Uri("http://a.example/token")), Is.Null);
            Assert.That(store.GetNonce(new Uri("https://a.example:8443/token")), Is.Null);
            Assert.That(store.GetNonce(new Uri("https://b.example/token")), Is.Null);
        });
    }

    [Test]
    public void SetNonce_ReplacesPreviousNonce()
    {
        var store = new DPoPNonceStore();
        store.SetNonce(new Uri("https://a.example/"), "n1");
        store.SetNonce(new Uri("https://a.example/"), "n2");
        Assert.That(store.GetNonce(new Uri("https://a.example/")), Is.EqualTo("n2"));
    }

    [Test]
    public void SetNonce_InvalidNonce_ThrowsArgumentExceptionWithoutTheValue()
    {
        var store = new DPoPNonceStore();
        var ex = Assert.Throws<ArgumentException>(() => store.SetNonce(new Uri("https://a.example/"), "secret nonce"));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("nonce"));
            Assert.That(ex.Message, Does.Not.Contain("secret"));
        });
    }

    [Test]
    public void GetNonce_RelativeUri_ThrowsArgumentException()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new DPoPNonceStore().GetNonce(new Uri("/x", UriKind.Relative)))!.ParamName, Is.EqualTo("requestUri"));
    }

    [Test]
    public void Store_IsBounded_EvictingLeastRecentlyUsed()
    {
        var time = new FakeTimeProvider();
        var store = new DPoPNonceStore(capacity: 10, timeProvider: time);
        for (var i = 0; i < 10; i++)
        {
            store.SetNonce(new Uri($"https://o{i}.example/"), "n" + i);
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        // Touch o0 so that o1 becomes the least recently used.
        Assert.That(store.GetNonce(new Uri("https://o0.example/")), Is.EqualTo("n0"));
        time.Advance(TimeSpan.FromMilliseconds(1));
        store.SetNonce(new Uri("https://new.example/"), "new");

        Assert.Multiple(() =>
        {
            Assert.That(store.Count, Is.LessThanOrEqualTo(10));
            Assert.That(store.GetNonce(new Uri("https://o0.example/")), Is.EqualTo("n0"));
            Assert.That(store.GetNonce(new Uri("https://o1.example/")), Is.Null);
            Assert.That(store.GetNonce(new Uri("https://new.example/")), Is.EqualTo("new"));
        });
    }

    [Test]
    public void Store_ManyOriginsFromManyThreads_StaysBounded()
    {
        var store = new DPoPNonceStore(capacity: 100);
        Parallel.For(0, 50_000, i =>
        {
            var uri = new Uri($"https://o{i % 5000}.example/");
            store.SetNonce(uri, "n" + i);
            store.GetNonce(uri);
        });

        Assert.That(store.Count, Is.InRange(1, 100));
    }

    [Test]
    public void Lifetime_ExpiredNonce_IsNotReturned()
    {
        var time = new FakeTimeProvider();
        var store = new DPoPNonceStore(lifetime: TimeSpan.FromSeconds(30), timeProvider: time);
        store.SetNonce(new Uri("https://a.example/"), "n1");
        time.Advance(TimeSpan.FromSeconds(29));
        var before = store.GetNonce(new Uri("https://a.example/"));
        time.Advance(TimeSpan.FromSeconds(2));

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo("n1"));
            Assert.That(store.GetNonce(new Uri("https://a.example/")), Is.Null);
        });
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void Constructor_CapacityBelowOne_Throws(int capacity)
    {
        Assert.That(() => new DPoPNonceStore(capacity), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
