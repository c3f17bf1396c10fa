using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Tokens;

/// <summary>The shared token cache's key, entry format and registration, without a Redis (the fleet tests use one).</summary>
public sealed class SharedTokenCacheTests
{
    private static DPoPTokenClientOptions Options(Action<DPoPTokenClientOptions>? change = null)
    {
        var options = new DPoPTokenClientOptions
        {
            TokenEndpoint = new Uri("https://login.example.com/token"),
            ClientId = "orders-worker",
            ClientSecret = "secret-one",
            Scope = "orders.read",
            Audience = "orders",
        };
        options.Resources.Add("https://api.example.com/");
        change?.Invoke(options);
        return options;
    }

    private static IEnumerable<TestCaseData> Differences()
    {
        yield return new TestCaseData(new Action<DPoPTokenClientOptions>(o => o.TokenEndpoint = new Uri("https://login.example.com/other"))).SetArgDisplayNames("token endpoint");
        yield return new TestCaseData(new Action<DPoPTokenClientOptions>(o => o.ClientId = "billing-worker")).SetArgDisplayNames("client id");
        yield return new TestCaseData(new Action<DPoPTokenClientOptions>(o => o.Scope = "orders.write")).SetArgDisplayNames("scope");
        yield return new TestCaseData(new Action<DPoPTokenClientOptions>(o => o.Scope = null)).SetArgDisplayNames("no scope");
        yield return new TestCaseData(new Action<DPoPTokenClientOptions>(o => o.Resources.Add("https://other.example.com/"))).SetArgDisplayNames("resources");
        yield return new TestCaseData(new Action<DPoPTokenClientOptions>(o => o.Audience = "billing")).SetArgDisplayNames("audience");
        yield return new TestCaseData(new Action<DPoPTokenClientOptions>(o => { o.Scope = "orders.read;6:orders"; o.Audience = null; })).SetArgDisplayNames("fields run together");
    }

    [TestCaseSource(nameof(Differences))]
    public void CacheKey_Differs_WhenWhatTheTokenIsForDiffers(Action<DPoPTokenClientOptions> change) =>
        Assert.That(DPoPTokenCacheKey.ClientCredentials(Options(change), "jkt"), Is.Not.EqualTo(DPoPTokenCacheKey.ClientCredentials(Options(), "jkt")));

    [Test]
    public void CacheKey_Differs_WithTheKeyThumbprint() =>
        Assert.That(DPoPTokenCacheKey.ClientCredentials(Options(), "jkt-one"), Is.Not.EqualTo(DPoPTokenCacheKey.ClientCredentials(Options(), "jkt-two")));

    [Test]
    public void CacheKey_IsTheSame_ForTheSameTokenWhateverTheSecret()
    {
        var key = DPoPTokenCacheKey.ClientCredentials(Options(o => o.ClientSecret = "secret-two"), "jkt");
        Assert.Multiple(() =>
        {
            Assert.That(key, Is.EqualTo(DPoPTokenCacheKey.ClientCredentials(Options(), "jkt")));
            Assert.That(key, Does.StartWith(DPoPTokenCacheKey.Prefix + "cc:"));
            Assert.That(key, Does.Not.Contain("orders"), "hashed: no client id, scope or endpoint in a cache listing");
        });
    }

    [Test]
    public void Entry_RoundTrips_AndHoldsNoSecret()
    {
        var entry = new DPoPTokenCacheEntry("token-value", "DPoP", DateTimeOffset.FromUnixTimeMilliseconds(1_900_000_000_000), DateTimeOffset.FromUnixTimeMilliseconds(1_899_999_940_000), "orders.read", "jkt");
        var text = entry.Serialize();
        Assert.Multiple(() =>
        {
            Assert.That(DPoPTokenCacheEntry.TryParse(text, out var read), Is.True);
            Assert.That(read, Is.EqualTo(entry));
            Assert.That(text, Does.Not.Contain("secret").And.Not.Contain("refresh"));
            Assert.That(entry.ToString(), Does.Not.Contain("token-value"));
        });
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("not json")]
    [TestCase("[1,2]")]
    [TestCase("{\"v\":2,\"jkt\":\"j\",\"token_type\":\"DPoP\",\"access_token\":\"t\",\"expires_at\":2,\"renew_at\":1}")]
    [TestCase("{\"v\":1,\"token_type\":\"DPoP\",\"access_token\":\"t\",\"expires_at\":2,\"renew_at\":1}")]
    [TestCase("{\"v\":1,\"jkt\":\"j\",\"token_type\":\"DPoP\",\"access_token\":7,\"expires_at\":2,\"renew_at\":1}")]
    [TestCase("{\"v\":1,\"jkt\":\"j\",\"token_type\":\"DPoP\",\"access_token\":\"t\",\"expires_at\":1e400,\"renew_at\":1}")]
    [TestCase("{\"v\":1,\"jkt\":\"j\",\"token_type\":\"DPoP\",\"access_token\":\"t\",\"expires_at\":1,\"renew_at\":2}")]
    [TestCase("{\"v\":1,\"jkt\":\"j\",\"token_type\":\"DPoP\",\"access_token\":\"t\",\"expires_at\":-5,\"renew_at\":-6}")]
    public void Entry_Unreadable_IsRefused(string? text) =>
        Assert.That(DPoPTokenCacheEntry.TryParse(text, out _), Is.False);

    private static ClientCredentialsTokenProvider Provider(Action<IServiceCollection> register, Action<DPoPTokenClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        register(services);
        services.AddHttpClient("api").AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri("https://login.example.com/token");
            o.ClientId = "orders-worker";
            o.ClientSecret = "secret";
            configure?.Invoke(o);
        });
        return (ClientCredentialsTokenProvider)services.BuildServiceProvider().GetRequiredKeyedService<IDPoPAccessTokenProvider>("api");
    }

    [Test]
    public void TokensAreShared_OnlyWhenTheAppRegistersAHybridCache()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Provider(_ => { }).UsesSharedCache, Is.False, "no HybridCache: in process, as before");
            Assert.That(Provider(s => s.AddHybridCache()).UsesSharedCache, Is.True);
            Assert.That(Provider(s => s.AddHybridCache(), o => o.SharedCacheTimeout = TimeSpan.Zero).UsesSharedCache, Is.False, "opted out");
        });
    }

    [TestCase(-1)]
    [TestCase(10_001)]
    public void SharedCacheTimeout_OutOfRange_IsAStartUpError(int milliseconds)
    {
        var problems = DPoPTokenClientOptionsRules.Check(Options(o => o.SharedCacheTimeout = TimeSpan.FromMilliseconds(milliseconds)));
        Assert.That(problems, Has.One.Contains("SharedCacheTimeout"));
    }

    [Test]
    public async Task Lookup_OnACacheThatNeverAnswers_GivesUpAfterTheTimeout_AndPauses()
    {
        var cache = new DPoPSharedTokenCache(new HangingHybridCache(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var started = DateTime.UtcNow;
        var (answered, text) = await cache.GetAsync("key", TimeSpan.FromMilliseconds(100), "api");
        var elapsed = DateTime.UtcNow - started;
        Assert.Multiple(() =>
        {
            Assert.That(answered, Is.False);
            Assert.That(text, Is.Null);
            Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(cache.IsPaused, Is.True);
        });
    }

    /// <summary>A HybridCache whose every call hangs and ignores cancellation, as a stalled L2 client can.</summary>
    private sealed class HangingHybridCache : HybridCache
    {
        private static readonly TaskCompletionSource Never = new();

        public override async ValueTask<T> GetOrCreateAsync<TState, T>(string key, TState state, Func<TState, CancellationToken, ValueTask<T>> factory, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default)
        {
            await Never.Task;
            return default!;
        }

        public override ValueTask SetAsync<T>(string key, T value, HybridCacheEntryOptions? options = null, IEnumerable<string>? tags = null, CancellationToken cancellationToken = default) => new(Never.Task);

        public override ValueTask RemoveAsync(string key, CancellationToken cancellationToken = default) => new(Never.Task);

        public override ValueTask RemoveByTagAsync(string tag, CancellationToken cancellationToken = default) => new(Never.Task);
    }
}
