namespace DPoP.Http.Internal;

/// <summary>
/// One cache key of a <see cref="DPoPTokenEngine"/>: the current token (with the key it is bound to and its renewal
/// time), the single renewal in flight and the early-renewal back-off. The hot path (<see cref="Cached"/>) is a field
/// read and a clock check, without a lock or an allocation.
/// </summary>
/// <remarks>
/// Inside the renewal window (<see cref="DPoPCachedToken.RenewAt"/>) the cached token is still valid, so the renewal
/// runs in the background and every caller keeps using the cached token. When that early renewal fails it is logged and
/// the token stays in use; the next attempt waits 1, 2, 4, 8, 16 and at most 30 s (<see cref="EarlyRenewalBackoff"/>),
/// never past the token's expiry. Only callers without a valid token (none yet, expired, rejected) wait for a renewal
/// and get its error. With a shared tier (<see cref="DPoPSharedTokens"/>) a renewal first looks there. An entry is a
/// token source of its own: a client with one token (a scheme's app tokens) registers it as its provider. A source
/// whose tokens live elsewhere (a user session's store) gives its own renewal; the entry decides when and runs one.
/// </remarks>
internal sealed class DPoPTokenEntry : IDPoPAccessTokenProvider, IDPoPClientAccessTokenCache
{
    private readonly DPoPTokenEngine _engine;
    private readonly TimeProvider _time; // the engine's clock and telemetry, kept here so the hot path reads one object less
    private readonly DPoPTokenTelemetry _telemetry;
    private readonly Func<CancellationToken, ValueTask<DPoPKey>>? _keySource;
    private readonly Func<DPoPKey, Task<DPoPTokenResponse>>? _request;
    private readonly Func<Task<DPoPCachedToken>>? _obtain; // a source that keeps its tokens elsewhere
    private readonly DPoPSharedTokens? _shared;
    private readonly Lock _lock = new();
    private readonly EarlyRenewalBackoff _backoff = new(); // written under _lock
    private DPoPCachedToken? _current;
    private Task<DPoPCachedToken>? _renewal;

    /// <param name="engine">The settings, telemetry and counters the entry shares with the other entries of its source.</param>
    /// <param name="keySource">The key the token will be bound to, read once per renewal.</param>
    /// <param name="request">Sends the token request, signed with that key; never cancelled (the renewal is shared).</param>
    /// <param name="sharedKey">The shared cache key for a key thumbprint; null keeps the entry's tokens in process.</param>
    public DPoPTokenEntry(DPoPTokenEngine engine, Func<CancellationToken, ValueTask<DPoPKey>> keySource, Func<DPoPKey, Task<DPoPTokenResponse>> request, Func<string, string>? sharedKey)
    {
        _engine = engine;
        _time = engine.TimeProvider;
        _telemetry = engine.Telemetry;
        _keySource = keySource;
        _request = request;
        _shared = engine.SharedCache is { } cache && sharedKey is not null
            ? new DPoPSharedTokens(cache, keySource, sharedKey, engine.Options, engine.TimeProvider, engine.Logger, engine.ClientName)
            : null;
    }

    /// <summary>An entry of a source that keeps its tokens elsewhere (a user session's store).</summary>
    /// <param name="engine">The settings, telemetry and counters the entry shares with the other entries of its source.</param>
    /// <param name="renewal">Obtains the next token and when to renew it; never cancelled (the renewal is shared).</param>
    /// <param name="held">The token the source holds now, if any: served until its renewal time like a renewed one.</param>
    public DPoPTokenEntry(DPoPTokenEngine engine, Func<Task<DPoPCachedToken>> renewal, DPoPCachedToken? held)
    {
        _engine = engine;
        _time = engine.TimeProvider;
        _telemetry = engine.Telemetry;
        _obtain = renewal;
        _current = held;
    }

    /// <summary>Whether tokens are shared through the app's HybridCache.</summary>
    public bool UsesSharedCache => _shared is not null;

    /// <summary>Whether a renewal is in flight (an entry that is renewing is never evicted).</summary>
    public bool IsRenewing => Volatile.Read(ref _renewal) is not null;

    /// <summary>The token held now, valid or not.</summary>
    public DPoPCachedToken? Current => Volatile.Read(ref _current);

    /// <summary>Completes (never faults) when the renewal in flight, if any, has stored its token or its failure.</summary>
    public Task WhenRenewalSettled =>
        Volatile.Read(ref _renewal) is { } renewal
            ? renewal.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            : Task.CompletedTask;

    /// <summary>
    /// The hot path: the cached token while it is valid (field read and clock check), renewed in the background inside
    /// the renewal window; null when callers must wait for a renewal.
    /// </summary>
    public DPoPCachedToken? Cached()
    {
        var token = Volatile.Read(ref _current);
        if (token is not null)
        {
            var now = _time.GetUtcNow();
            if (now < token.RenewAt)
            {
                _telemetry.ServedFromCache(_engine.GrantType, _engine.TokenEndpoint);
                return token;
            }

            if (now < token.ExpiresAt)
            {
                RenewInBackground(token, now);
                _telemetry.ServedFromCache(_engine.GrantType, _engine.TokenEndpoint);
                return token;
            }
        }

        return null;
    }

    /// <summary>The token for an API request (see <see cref="DPoPTokenBinding"/>), waiting for a renewal only without a valid one.</summary>
    public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Cached() is { } token ? new ValueTask<string?>(DPoPTokenBinding.Use(token.Response, request)) : WaitForTokenAsync(request, cancellationToken);

    /// <summary>Waits for the renewal everyone without a valid token waits for, and hands its token to the request.</summary>
    public async ValueTask<string?> WaitForTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        DPoPTokenBinding.Use((await _engine.AcquireAsync(GetOrStartRenewal, cancellationToken).ConfigureAwait(false)).Response, request);

    /// <summary>The cached token and its key, waiting for a renewal only without a valid one.</summary>
    public async ValueTask<DPoPClientAccessToken> GetAccessTokenAsync(CancellationToken cancellationToken) =>
        (await GetTokenAsync(cancellationToken).ConfigureAwait(false)).ClientToken;

    /// <summary>The cached token, waiting for a renewal only without a valid one.</summary>
    public ValueTask<DPoPCachedToken> GetTokenAsync(CancellationToken cancellationToken) =>
        Cached() is { } token ? new ValueTask<DPoPCachedToken>(token) : _engine.AcquireAsync(GetOrStartRenewal, cancellationToken);

    /// <summary>A new token even if the cached one is valid: joins the renewal in flight or starts one, which takes nothing from the shared tier.</summary>
    public async ValueTask<DPoPClientAccessToken> RenewAccessTokenAsync(CancellationToken cancellationToken) =>
        (await RenewAsync(cancellationToken).ConfigureAwait(false)).ClientToken;

    /// <summary>The token of a renewal even if the cached one is valid: the one in flight, or a new one.</summary>
    public ValueTask<DPoPCachedToken> RenewAsync(CancellationToken cancellationToken)
    {
        Task<DPoPCachedToken> renewal;
        lock (_lock)
        {
            _shared?.OnForcedRenewal(_current?.Response.AccessToken);
            renewal = _renewal ??= StartRenewal();
        }

        DPoPTokenLog.RenewalForced(_engine.Logger, _engine.ClientName);
        return _engine.AcquireAsync(() => renewal, cancellationToken);
    }

    /// <summary>Drops the token without a word: its source says it is gone (a user session that ended).</summary>
    public void Clear() => Interlocked.Exchange(ref _current, null);

    /// <summary>Drops the token, here and in the shared tier.</summary>
    public async ValueTask RemoveAccessTokenAsync(CancellationToken cancellationToken)
    {
        string? removed;
        lock (_lock)
        {
            removed = _current?.Response.AccessToken;
            _current = null;
        }

        DPoPTokenLog.TokenRemoved(_engine.Logger, _engine.ClientName, _shared is not null);
        if (_shared is not null)
        {
            await _shared.RemoveAsync(removed, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A resource server rejected <paramref name="accessToken"/>: dropped when it is this entry's token. Returns whether it was.</summary>
    public bool OnRejected(string accessToken)
    {
        lock (_lock)
        {
            if (_current is null || !string.Equals(_current.Response.AccessToken, accessToken, StringComparison.Ordinal))
            {
                return false;
            }

            _current = null;
            _shared?.OnRejected(accessToken);
        }

        DPoPTokenLog.TokenDropped(_engine.Logger, _engine.ClientName);
        return true;
    }

    /// <summary>A resource server rejected <paramref name="rejectedAccessToken"/>: dropped if it is this entry's; the handler may retry once.</summary>
    public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        OnRejected(rejectedAccessToken);
        return ValueTask.FromResult(true);
    }

    /// <summary>A valid token, or the renewal everyone without one waits for.</summary>
    private Task<DPoPCachedToken> GetOrStartRenewal()
    {
        lock (_lock)
        {
            if (_current is { } current && _time.GetUtcNow() < current.ExpiresAt)
            {
                return Task.FromResult(current);
            }

            return _renewal ??= StartRenewal();
        }
    }

    /// <summary>Starts a renewal nobody waits for, unless one is running, the back-off holds, or the token was replaced.</summary>
    private void RenewInBackground(DPoPCachedToken token, DateTimeOffset now)
    {
        if (Volatile.Read(ref _renewal) is not null || !_backoff.Allows(now))
        {
            return;
        }

        lock (_lock)
        {
            if (_renewal is null && _backoff.Allows(now) && ReferenceEquals(_current, token))
            {
                _renewal = StartRenewal();
            }
        }
    }

    /// <summary>Starts the one renewal in flight; call under <see cref="_lock"/>.</summary>
    private Task<DPoPCachedToken> StartRenewal()
    {
        var renewal = RunRenewalAsync();

        // A background renewal may have no one awaiting it: observe its failure (already logged) here.
        _ = renewal.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return renewal;
    }

    private async Task<DPoPCachedToken> RunRenewalAsync()
    {
        try
        {
            await Task.Yield(); // leave the lock, and the caller that started a background renewal, before the request starts
            return _obtain is null ? await RequestAsync().ConfigureAwait(false) : OnRenewed(await _obtain().ConfigureAwait(false), fromSharedCache: false);
        }
        catch (Exception ex)
        {
            OnRenewalFailed(ex); // the key provider, the token request, or the source's own renewal
            throw;
        }
        finally
        {
            lock (_lock)
            {
                _renewal = null;
                _shared?.OnRenewalEnded();
            }
        }
    }

    /// <summary>A token from the shared tier or the token endpoint.</summary>
    private async Task<DPoPCachedToken> RequestAsync()
    {
        // The key the token will be bound to, read once: the token request is signed with the same key, and a shared
        // entry is looked up (and stored) under its thumbprint.
        var key = await _keySource!(CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"DPoP client '{_engine.ClientName}': the key provider returned null instead of a key.");
        var (shared, sharedKey) = _shared is null ? default : await _shared.LookUpAsync(key).ConfigureAwait(false);
        if (_shared is not null)
        {
            _engine.SharedLookup(shared is not null);
        }

        if (shared is not null)
        {
            return OnRenewed(new DPoPCachedToken(shared.Response, shared.RenewAt, key), fromSharedCache: true);
        }

        var response = await _request!(key).ConfigureAwait(false);
        var token = OnRenewed(new DPoPCachedToken(response, DPoPCachedToken.RenewalTime(response.ExpiresAt, _time.GetUtcNow(), _engine.Options.RefreshBeforeExpiry), key), fromSharedCache: false);
        if (sharedKey is { } stored)
        {
            _shared!.Share(stored, token.Response, token.RenewAt);
        }

        return token;
    }

    /// <summary>Stores a renewed token (from the token endpoint, the shared tier or the source's own renewal).</summary>
    private DPoPCachedToken OnRenewed(DPoPCachedToken token, bool fromSharedCache)
    {
        int failures;
        lock (_lock)
        {
            _current = token;
            failures = _backoff.Reset();
        }

        _engine.OnRenewed(token, _time.GetUtcNow(), fromSharedCache, failures);
        return token;
    }

    private void OnRenewalFailed(Exception exception)
    {
        var now = _time.GetUtcNow();
        DPoPCachedToken? valid;
        TimeSpan delay;
        lock (_lock)
        {
            valid = _current is { } current && now < current.ExpiresAt ? current : null;
            delay = _backoff.OnFailure(now, valid?.ExpiresAt);
        }

        DPoPTokenLog.RenewalFailed(_engine.Logger, _engine.ClientName, _engine.Origin, exception, valid is null ? null : valid.ExpiresAt - now, delay, _telemetry.LogsExceptions);
    }
}
