namespace DPoP.Http.DemoServer.Tests;

/// <summary>The jti replay cache: refuses a second use until the entry expires, then forgets it.</summary>
public sealed class ProofReplayCacheTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Test]
    public void TryRecord_SameJtiTwice_SecondFails()
    {
        var cache = new ProofReplayCache();

        var first = cache.TryRecord("a", Now.AddMinutes(1), Now);
        var second = cache.TryRecord("a", Now.AddMinutes(1), Now.AddSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.True);
            Assert.That(second, Is.False);
        });
    }

    [Test]
    public void TryRecord_AfterExpiry_Succeeds()
    {
        var cache = new ProofReplayCache();
        cache.TryRecord("a", Now.AddMinutes(1), Now);

        Assert.That(cache.TryRecord("a", Now.AddMinutes(3), Now.AddMinutes(2)), Is.True);
    }

    [Test]
    public void TryRecord_LaterCall_SweepsExpiredEntries()
    {
        var cache = new ProofReplayCache();
        for (var i = 0; i < 100; i++)
        {
            cache.TryRecord($"jti-{i}", Now.AddMinutes(1), Now);
        }

        cache.TryRecord("late", Now.AddMinutes(10), Now.AddMinutes(5));

        Assert.That(cache.Count, Is.EqualTo(1));
    }

    [Test]
    public void TryRecord_ConcurrentSameJti_ExactlyOneSucceeds()
    {
        var cache = new ProofReplayCache();
        var successes = 0;

        Parallel.For(0, 1000, _ =>
        {
            if (cache.TryRecord("same", Now.AddMinutes(1), Now))
            {
                Interlocked.Increment(ref successes);
            }
        });

        Assert.That(successes, Is.EqualTo(1));
    }
}
