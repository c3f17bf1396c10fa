using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Internal;

/// <summary>
/// The token engine of one token source (a client's client-credentials tokens, its token exchanges, a scheme's app
/// tokens): the settings, telemetry and counters its entries share, and its entries by cache key — a bounded number,
/// evicted without ever dropping one whose renewal is in flight. Each <see cref="DPoPTokenEntry"/> does the caching,
/// single flight, early renewal with back-off and the shared tier for its key.
/// </summary>
/// <remarks>
/// A source whose tokens live elsewhere (a user session's store) would keep its own storage and use an entry only to
/// decide when to renew and to make sure one renewal runs: that is what <see cref="DPoPTokenEntry"/> holds apart from
/// the token itself.
/// </remarks>
/// <param name="clientName">The API client's name, in logs and the <c>dpop.client</c> tag.</param>
/// <param name="grantType">The grant, in the <c>dpop.grant_type</c> tag.</param>
/// <param name="tokenEndpoint">The token endpoint (its origin in logs and tags); null until discovered (see <see cref="TokenEndpoint"/>).</param>
/// <param name="options">Renewal window, shared-cache timeout, whether Bearer tokens are accepted.</param>
/// <param name="timeProvider">The clock for expiry and renewal.</param>
/// <param name="logger">Where renewals are logged.</param>
/// <param name="telemetry">Spans and metrics of the source.</param>
/// <param name="sharedCache">The app's HybridCache tier; null (or a zero <see cref="DPoPTokenClientOptions.SharedCacheTimeout"/>) keeps tokens in process.</param>
/// <param name="maxEntries">The bound on keyed entries.</param>
internal sealed class DPoPTokenEngine(
    string clientName,
    string grantType,
    Uri? tokenEndpoint,
    DPoPTokenClientOptions options,
    TimeProvider timeProvider,
    ILogger logger,
    DPoPTokenTelemetry telemetry,
    DPoPSharedTokenCache? sharedCache,
    int maxEntries = DPoPTokenEngine.DefaultMaxEntries)
{
    /// <summary>How many entries an engine keeps (a client's tenants, a token exchange's subject tokens).</summary>
    internal const int DefaultMaxEntries = 2048;

    private readonly ConcurrentDictionary<string, DPoPTokenEntry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _evictionLock = new();
    private Uri? _tokenEndpoint = tokenEndpoint;

    public string ClientName { get; } = clientName;

    public string GrantType { get; } = grantType;

    public DPoPTokenClientOptions Options { get; } = options;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public ILogger Logger { get; } = logger;

    public DPoPTokenTelemetry Telemetry { get; } = telemetry;

    public DPoPSharedTokenCache? SharedCache { get; } = options.SharedCacheTimeout > TimeSpan.Zero ? sharedCache : null;

    /// <summary>The token endpoint, once known (a scheme's comes from its discovery document).</summary>
    /// <remarks>A plain field: a reader that sees the endpoint late only misses it in a log line or a span's tags.</remarks>
    public Uri? TokenEndpoint
    {
        get => _tokenEndpoint;
        set => _tokenEndpoint = value;
    }

    /// <summary>How many entries the engine holds by key.</summary>
    public int Count => _entries.Count;

    internal LoggedOrigin Origin => new(TokenEndpoint);

    /// <summary>
    /// Completes when the renewals in flight now, in every keyed entry, have ended. A test hook (through the providers'
    /// WhenRenewalSettled): a background renewal has no public completion signal.
    /// </summary>
    internal Task WhenRenewalsSettled => Task.WhenAll(_entries.Values.Select(static e => e.WhenRenewalSettled));

    /// <summary>
    /// The entry of <paramref name="key"/>, created by <paramref name="create"/> when there is none. Above the bound,
    /// entries are evicted first (see <see cref="Evict"/>).
    /// </summary>
    public DPoPTokenEntry GetOrAdd<TState>(string key, Func<TState, DPoPTokenEntry> create, TState state)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            return entry;
        }

        if (_entries.Count >= maxEntries)
        {
            Evict();
        }

        return _entries.GetOrAdd(key, static (_, s) => s.Create(s.State), (Create: create, State: state));
    }

    /// <summary>Drops <paramref name="accessToken"/> from the keyed entry that holds it; returns whether one did.</summary>
    public bool OnRejected(string accessToken)
    {
        foreach (var entry in _entries.Values)
        {
            if (entry.OnRejected(accessToken))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Makes room for a new entry: drops every entry without a valid token, then, while still above three quarters of
    /// the bound, those due for renewal soonest — never one whose renewal is in flight, whose callers share it.
    /// </summary>
    private void Evict()
    {
        if (!_evictionLock.TryEnter())
        {
            return; // another caller is evicting; the bound is soft by the entries added meanwhile
        }

        try
        {
            var now = TimeProvider.GetUtcNow();
            var kept = new List<KeyValuePair<string, DPoPTokenEntry>>(_entries.Count);
            foreach (var pair in _entries)
            {
                if (pair.Value.IsRenewing)
                {
                    continue;
                }

                if (pair.Value.Current is not { } token || now >= token.ExpiresAt)
                {
                    _entries.TryRemove(pair);
                }
                else
                {
                    kept.Add(pair);
                }
            }

            var excess = _entries.Count - (maxEntries * 3 / 4);
            if (excess > 0)
            {
                kept.Sort(static (a, b) => a.Value.Current!.RenewAt.CompareTo(b.Value.Current!.RenewAt));
                for (var i = 0; i < excess && i < kept.Count; i++)
                {
                    if (!kept[i].Value.IsRenewing)
                    {
                        _entries.TryRemove(kept[i]);
                    }
                }
            }
        }
        finally
        {
            _evictionLock.Exit();
        }
    }

    /// <summary>Waits for a renewal (a memory cache miss), traced as an acquisition; a caller that gives up stops waiting, the renewal goes on.</summary>
    internal ValueTask<DPoPCachedToken> AcquireAsync(Func<Task<DPoPCachedToken>> renewal, CancellationToken cancellationToken) =>
        Telemetry.AcquireAsync(GrantType, TokenEndpoint, renewal, cancellationToken);

    internal void SharedLookup(bool hit) => Telemetry.CacheLookup(GrantType, "shared", hit);

    /// <summary>A token obtained at <paramref name="now"/> (from the token endpoint or the shared tier), and a recovery after failed attempts.</summary>
    internal void OnRenewed(DPoPCachedToken token, DateTimeOffset now, bool fromSharedCache, int failures)
    {
        DPoPTokenLog.Renewed(Logger, ClientName, Origin, token.Response.IsDPoPBound, token.ExpiresAt - now, token.RenewAt - now, fromSharedCache, failures);
    }
}
