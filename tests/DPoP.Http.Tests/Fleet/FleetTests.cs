using DPoP.Http.Tests.Support;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Fleet;

/// <summary>
/// Several app instances (separate service providers, each with its own HybridCache L1) sharing one real Redis as L2
/// and calling the demo authorization and resource servers on 127.0.0.1: tokens are shared when the instances share
/// a DPoP key, never across keys, and a Redis outage costs token requests, never a failed API call.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed class FleetTests
{
    internal static readonly string FleetKeyPem = NewKeyPem();

    private static string NewKeyPem()
    {
        using var key = DPoPKey.Generate();
        return key.PrivateKeyPem;
    }

    private static string Thumbprint(string pem)
    {
        using var key = DPoPKey.FromPem(pem);
        return key.JwkThumbprint;
    }

    private static FleetInstance[] StartFleet(DemoServerHost server, RedisServer redis, int count, TimeSpan? sharedCacheTimeout = null) =>
        [.. Enumerable.Range(0, count).Select(_ => new FleetInstance(server, redis, FleetKeyPem, sharedCacheTimeout))];

    private static void Stop(IEnumerable<FleetInstance> instances)
    {
        foreach (var instance in instances)
        {
            instance.Dispose();
        }
    }

    private static Task<bool[]> CallConcurrentlyAsync(FleetInstance[] instances, int requests) =>
        Task.WhenAll(Enumerable.Range(0, requests).Select(i => Task.Run(() => instances[i % instances.Length].CallApiAsync())));

    [Test]
    public async Task FourInstances_SameKey_200ConcurrentRequests_AtMostOneTokenRequestPerInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await DemoServerHost.StartAsync();
        var fleet = StartFleet(server, redis, 4);
        try
        {
            var results = await CallConcurrentlyAsync(fleet, 200);
            var grants = server.Statistics.ClientCredentialsGrants;
            TestContext.Out.WriteLine($"200 concurrent requests across 4 cold instances: {grants} token request(s); per instance {string.Join(", ", fleet.Select(i => $"{i.Counts.TokenRequests} requested/{i.Counts.SharedCacheHits} from Redis"))}");

            // An instance started later finds the token in Redis.
            using var late = new FleetInstance(server, redis, FleetKeyPem);
            var lateCall = await late.CallApiAsync();

            Assert.Multiple(() =>
            {
                Assert.That(results, Has.All.True, "every API call succeeds");
                Assert.That(grants, Is.InRange(1, 4));
                Assert.That(fleet.Select(i => i.Counts.TokenRequests), Has.All.LessThanOrEqualTo(1), "at most one token request per instance");
                Assert.That(lateCall, Is.True);
                Assert.That(late.Counts.SharedCacheHits, Is.EqualTo(1));
                Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(grants), "the late instance made no token request");
            });
        }
        finally
        {
            Stop(fleet);
        }
    }

    [Test]
    public async Task FourInstances_OneWarmedFirst_TheFleetMakesOneTokenRequest()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await DemoServerHost.StartAsync();
        var fleet = StartFleet(server, redis, 4);
        try
        {
            var first = await fleet[0].CallApiAsync();
            await WaitUntilStoredAsync(redis, fleet[0]);
            var results = await CallConcurrentlyAsync(fleet, 200);
            var tokens = await Task.WhenAll(fleet.Select(i => i.CurrentTokenAsync()));

            TestContext.Out.WriteLine($"1 + 200 requests across 4 instances, one warmed first: {server.Statistics.ClientCredentialsGrants} token request(s)");
            Assert.Multiple(() =>
            {
                Assert.That(first, Is.True);
                Assert.That(results, Has.All.True);
                Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(1));
                Assert.That(tokens.Distinct().Count(), Is.EqualTo(1), "one token across the fleet");
                Assert.That(fleet.Skip(1).Select(i => i.Counts.SharedCacheHits), Has.All.EqualTo(1));
            });
        }
        finally
        {
            Stop(fleet);
        }
    }

    [Test]
    [Category("Slow")]
    public async Task FourInstancesUnderLoad_OneTokenRequestPerRenewalForTheFleet()
    {
        // 8 s tokens renewed 4 s before expiry: the instance that stored a token renews at 4 s and stores the next one;
        // the others, which took it from Redis, renew a quarter of the window (1 s) later and find the next one there.
        await using var redis = await RedisServer.StartAsync();
        await using var server = await DemoServerHost.StartAsync(new DPoP.Http.DemoServer.DemoServerOptions { AccessTokenLifetime = TimeSpan.FromSeconds(8) });
        var fleet = Enumerable.Range(0, 4).Select(_ => new FleetInstance(server, redis, FleetKeyPem, refreshBeforeExpiry: TimeSpan.FromSeconds(4))).ToArray();
        try
        {
            var calls = new List<bool> { await fleet[0].CallApiAsync() };
            await WaitUntilStoredAsync(redis, fleet[0]);
            var grantsAfterStart = server.Statistics.ClientCredentialsGrants;

            // 11 s of steady traffic on every instance: two renewals.
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(11);
            var load = await Task.WhenAll(fleet.Select(instance => Task.Run(async () =>
            {
                var results = new List<bool>();
                while (DateTime.UtcNow < until)
                {
                    results.Add(await instance.CallApiAsync());
                    await Task.Delay(50);
                }

                return results;
            })));
            calls.AddRange(load.SelectMany(r => r));
            var renewalGrants = server.Statistics.ClientCredentialsGrants - grantsAfterStart;
            TestContext.Out.WriteLine($"4 instances, {calls.Count} requests over 11 s with 8 s tokens (renewed from 4 s): {grantsAfterStart} token request(s) at start, {renewalGrants} for the renewals; per instance {string.Join(", ", fleet.Select(i => $"{i.Counts.TokenRequests} requested/{i.Counts.SharedCacheHits} from Redis"))}");

            Assert.Multiple(() =>
            {
                Assert.That(calls, Has.All.True);
                Assert.That(grantsAfterStart, Is.EqualTo(1));
                Assert.That(renewalGrants, Is.InRange(2, 4), "about one token request per renewal (two renewals), not one per instance (eight)");
            });
        }
        finally
        {
            Stop(fleet);
        }
    }

    [Test]
    public async Task InstancesWithDifferentKeys_NeverShareAToken()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await DemoServerHost.StartAsync();
        var otherKeyPem = NewKeyPem();
        using var a = new FleetInstance(server, redis, FleetKeyPem);
        using var b = new FleetInstance(server, redis, otherKeyPem);
        using var generated = new FleetInstance(server, redis, privateKeyPem: null); // a generated per-process key
        using var a2 = new FleetInstance(server, redis, FleetKeyPem);

        var calls = new List<bool> { await a.CallApiAsync() };
        await WaitUntilStoredAsync(redis, a);
        calls.Add(await b.CallApiAsync());
        calls.Add(await generated.CallApiAsync());
        calls.Add(await a2.CallApiAsync());
        var (tokenA, tokenB, tokenGenerated, tokenA2) = (await a.CurrentTokenAsync(), await b.CurrentTokenAsync(), await generated.CurrentTokenAsync(), await a2.CurrentTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.All.True);
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(3), "one per key");
            Assert.That(new[] { tokenA, tokenB, tokenGenerated }.Distinct().Count(), Is.EqualTo(3));
            Assert.That(FleetInstance.CnfJkt(tokenA), Is.EqualTo(Thumbprint(FleetKeyPem)));
            Assert.That(FleetInstance.CnfJkt(tokenB), Is.EqualTo(Thumbprint(otherKeyPem)));
            Assert.That(b.Counts.SharedCacheHits + generated.Counts.SharedCacheHits, Is.Zero);
            Assert.That(tokenA2, Is.EqualTo(tokenA), "the same key shares the token");
            Assert.That(a2.Counts.SharedCacheHits, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task RedisStoppedMidRun_NoRequestFails_AndRestarted_TokensAreSharedAgain()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await DemoServerHost.StartAsync();
        var fleet = StartFleet(server, redis, 4, sharedCacheTimeout: TimeSpan.FromMilliseconds(500));
        var outageInstances = new List<FleetInstance>();
        try
        {
            foreach (var instance in fleet)
            {
                instance.SharedCache.Pause = TimeSpan.FromSeconds(2);
            }

            var before = await CallConcurrentlyAsync(fleet, 40);

            // Redis goes away; every instance loses its token (an invalid_token answer would do the same) and renews.
            redis.Stop();
            foreach (var instance in fleet)
            {
                await instance.DropTokenAsync();
            }

            var started = DateTime.UtcNow;
            var during = await CallConcurrentlyAsync(fleet, 120);
            var outageSeconds = (DateTime.UtcNow - started).TotalSeconds;

            // An instance that starts during the outage works too.
            var cold = new FleetInstance(server, redis, FleetKeyPem, TimeSpan.FromMilliseconds(500));
            outageInstances.Add(cold);
            var coldCall = await cold.CallApiAsync();
            // Counted now: while Redis restarts below, fleet[0]'s lookups may fail again once its pause is over.
            var outageWarnings = fleet.Select(i => i.Warnings(121)).ToList();
            var warnings = outageWarnings.Sum();
            TestContext.Out.WriteLine($"during the outage: 120 requests in {outageSeconds:0.0} s, {during.Count(r => !r)} failed, {warnings} warning(s) (event 121)");

            // Redis comes back (empty, as after a flush): after the pause, tokens are stored and shared again.
            await redis.StartAgainAsync();
            var thumbprint = Thumbprint(FleetKeyPem);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
            var after = new List<bool>();
            while (await redis.CommandAsync("EXISTS", fleet[0].RedisKey(thumbprint)) != ":1")
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no token was stored in Redis after it came back");
                await Task.Delay(500);
                await fleet[0].DropTokenAsync();
                after.Add(await fleet[0].CallApiAsync());
                await Task.Delay(200); // the store runs in the background
            }

            // Another instance takes that token from Redis as soon as its own connection is back.
            var hitsBefore = fleet[1].Counts.SharedCacheHits;
            long grantsBefore;
            do
            {
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "no token was taken from Redis after it came back");
                await Task.Delay(500);
                grantsBefore = server.Statistics.ClientCredentialsGrants;
                await fleet[1].DropTokenAsync();
                after.Add(await fleet[1].CallApiAsync());
            }
            while (fleet[1].Counts.SharedCacheHits == hitsBefore);
            TestContext.Out.WriteLine($"after the restart: {after.Count} request(s) until shared again, {after.Count(r => !r)} failed");

            Assert.Multiple(async () =>
            {
                Assert.That(before, Has.All.True);
                Assert.That(during, Has.All.True, "no request fails while Redis is down");
                Assert.That(coldCall, Is.True);
                Assert.That(outageSeconds, Is.LessThan(10), "lookups on the dead Redis are bounded");
                Assert.That(warnings, Is.GreaterThanOrEqualTo(1));
                Assert.That(outageWarnings, Has.All.LessThanOrEqualTo(1 + (int)(outageSeconds / 2)), "at most one warning per instance per 2 s pause");
                Assert.That(after, Has.All.True);
                Assert.That(fleet[1].Counts.SharedCacheHits, Is.EqualTo(hitsBefore + 1), "the token came from Redis again");
                Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(grantsBefore));
                Assert.That(await fleet[1].CurrentTokenAsync(), Is.EqualTo(await fleet[0].CurrentTokenAsync()));
            });
        }
        finally
        {
            Stop(fleet);
            Stop(outageInstances);
        }
    }

    [Test]
    public async Task RedisStalls_LookupsAreBoundedBySharedCacheTimeout_AndNoRequestFails()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await DemoServerHost.StartAsync();
        var fleet = StartFleet(server, redis, 4, sharedCacheTimeout: TimeSpan.FromMilliseconds(300));
        try
        {
            var before = await CallConcurrentlyAsync(fleet, 20);

            // Redis accepts connections but answers nothing for 6 s (longer than StackExchange.Redis' 5 s default timeout).
            Assert.That(await redis.CommandAsync("CLIENT", "PAUSE", "6000", "ALL"), Is.EqualTo("+OK"));
            foreach (var instance in fleet)
            {
                await instance.DropTokenAsync(); // renewals (their HybridCache L1 answers; the store behind them stalls)
            }

            // Two instances start during the stall: their lookups go to Redis and get no answer.
            fleet = [.. fleet, .. StartFleet(server, redis, 2, sharedCacheTimeout: TimeSpan.FromMilliseconds(300))];
            var started = DateTime.UtcNow;
            var during = await CallConcurrentlyAsync(fleet, 60);
            var elapsed = DateTime.UtcNow - started;
            await Task.Delay(1000); // the stores (and their timeouts) run in the background
            TestContext.Out.WriteLine($"Redis stalled: 60 requests across 6 instances in {elapsed.TotalMilliseconds:0} ms, {during.Count(r => !r)} failed, {fleet.Sum(i => i.Warnings(121))} warning(s)");

            Assert.Multiple(() =>
            {
                Assert.That(before, Has.All.True);
                Assert.That(during, Has.All.True);
                Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(4)), "no request waited for the stalled Redis");
                Assert.That(fleet.Select(i => i.Warnings(121)), Has.All.EqualTo(1), "one warning per instance");
            });
        }
        finally
        {
            Stop(fleet);
        }
    }

    [TestCase("not a HybridCache payload")]
    [TestCase("wrong Redis type")]
    [TestCase("foreign entry")]
    [TestCase("entry bound to another key")]
    public async Task CorruptEntry_IsReplaced_AndNoRequestFails(string corruption)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await DemoServerHost.StartAsync();
        var fleet = StartFleet(server, redis, 3);
        try
        {
            var thumbprint = Thumbprint(FleetKeyPem);
            var redisKey = fleet[0].RedisKey(thumbprint);
            var calls = new List<bool> { await fleet[0].CallApiAsync() };
            await WaitUntilStoredAsync(redis, fleet[0]);

            switch (corruption)
            {
                case "not a HybridCache payload":
                    Assert.That(await redis.CommandAsync("HSET", redisKey, "data", "\u0001garbage\u00ff"), Does.StartWith(":"));
                    break;
                case "wrong Redis type":
                    await redis.CommandAsync("DEL", redisKey);
                    Assert.That(await redis.CommandAsync("SET", redisKey, "garbage"), Is.EqualTo("+OK"));
                    break;
                case "foreign entry":
                    await fleet[0].HybridCache.SetAsync(fleet[0].HybridCacheKey(thumbprint), "{\"v\":1,\"access_token\":\"forged\"}");
                    break;
                default:
                    var foreign = new DPoPTokenCacheEntry("forged", "DPoP", DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow.AddMinutes(50), null, "another-thumbprint");
                    await fleet[0].HybridCache.SetAsync(fleet[0].HybridCacheKey(thumbprint), foreign.Serialize());
                    break;
            }

            // A second instance cannot read the entry: it fetches its own token and replaces the entry.
            calls.Add(await fleet[1].CallApiAsync());
            var replacedBy = await fleet[1].CurrentTokenAsync();
            await WaitUntilAsync(async () => await ReadEntryAsync(fleet[2], thumbprint) is { } entry && entry.AccessToken == replacedBy);

            // A third instance takes the replacement.
            calls.Add(await fleet[2].CallApiAsync());
            Assert.Multiple(async () =>
            {
                Assert.That(calls, Has.All.True);
                Assert.That(fleet[1].Counts.TokenRequests, Is.EqualTo(1), "the unreadable entry was not used");
                Assert.That(fleet[2].Counts.SharedCacheHits, Is.EqualTo(1), "the replacement was shared");
                Assert.That(await fleet[2].CurrentTokenAsync(), Is.EqualTo(replacedBy));
                Assert.That(await redis.CommandAsync("TYPE", redisKey), Is.EqualTo("+hash"));
            });
        }
        finally
        {
            Stop(fleet);
        }
    }

    /// <summary>The entry in Redis as <paramref name="probe"/> reads it (its reads never fill its own L1).</summary>
    private static async Task<DPoPTokenCacheEntry?> ReadEntryAsync(FleetInstance probe, string thumbprint)
    {
        var (_, text) = await probe.SharedCache.GetAsync(probe.HybridCacheKey(thumbprint), TimeSpan.FromSeconds(2), "probe");
        return DPoPTokenCacheEntry.TryParse(text, out var entry) ? entry : null;
    }

    private static Task WaitUntilStoredAsync(RedisServer redis, FleetInstance instance) =>
        WaitUntilAsync(async () => await redis.CommandAsync("EXISTS", instance.RedisKey(Thumbprint(FleetKeyPem))) == ":1");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "timed out waiting for the shared cache");
            await Task.Delay(50);
        }
    }
}
