using System.Diagnostics;
using DPoP.Http.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Refreshes a session's access token: once per session at a time in this process (the token engine runs one refresh
/// per token, <see cref="UserSessionTokens"/>; a session's tokens take turns, <see cref="SessionRefreshTurns"/>) and,
/// with the app's lock engine, across the farm (<see cref="SessionRefreshLock"/>, taken by the one refresh of this
/// process, around the session's read, the grant and the write), bounded by
/// <see cref="DPoPOpenIdConnectOptions.RefreshTimeout"/>, and written back only to a session that has not ended.
/// </summary>
/// <remarks>
/// The store (the app's <see cref="Microsoft.Extensions.Caching.Distributed.IDistributedCache"/>, maybe shared by a
/// farm) has no compare-and-set, so a refresh answered after a sign-out must not simply write the session back: it
/// would revive it with a fresh refresh token nobody revoked. Sign-out (<see cref="UserSessions.EndAsync"/>) writes a
/// tombstone for the session id, then reads the session, revokes its refresh token and removes it. A refresh writes
/// the new session only when no tombstone is there, then reads the tombstone again, and if one appeared meanwhile it
/// revokes the new refresh token and removes the session. Each step is one store operation, and a tombstone stays
/// once written, so either sign-out's read comes after the refresh's write (and revokes the new token), or the
/// refresh's second look comes after the tombstone (and revokes it itself). The tombstone lives longer than any
/// refresh can take (<see cref="UserSessions.TombstoneLifetime"/>): the grant is bounded by RefreshTimeout, and a
/// refresh past it is not written.
/// </remarks>
internal sealed class UserTokenRefresher(
    UserSessionStore store,
    SessionKeys keys,
    SchemeEndpoints endpoints,
    RefreshTokenRevocation revocation,
    SessionRefreshLock farmLocks,
    SessionRefreshTurns turns,
    IOptionsMonitor<DPoPOpenIdConnectOptions> optionsMonitor,
    ILoggerFactory loggerFactory,
    DPoPWebMetrics metrics)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(DPoPTelemetryNames.WebLogCategory);

    /// <summary>
    /// Refreshes the session's token for <paramref name="target"/> past <paramref name="staleAccessToken"/> (null: none
    /// yet) and returns the session as stored after it. Called by the token engine's one renewal per token
    /// (<see cref="UserSessionTokens"/>), so never cancelled by a caller giving up: a rotated refresh token must be
    /// stored. Only the bound (RefreshTimeout) ends it.
    /// </summary>
    public async Task<UserSession> RefreshAsync(string scheme, string sessionId, string? staleAccessToken, string reason, TokenTarget target)
    {
        // A refresh for another resource of the session goes first: both would send the same refresh token, and a
        // rotated one sent twice ends the grant; this one then reads the token it stored.
        using var turn = await turns.EnterAsync(scheme, sessionId).ConfigureAwait(false);
        var timeout = optionsMonitor.Get(scheme).RefreshTimeout;
        var started = Stopwatch.GetTimestamp();
        var issuedAt = endpoints.TimeProvider(scheme).GetUtcNow();
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            IAsyncDisposable? farmLock;
            try
            {
                farmLock = await farmLocks.AcquireAsync(scheme, sessionId, bound.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                // Once more after the bounded wait: the instance holding the lock may have stored fresh tokens.
                if (await FindRefreshedAsync(scheme, sessionId, staleAccessToken, target, bound.Token).ConfigureAwait(false) is { } refreshed)
                {
                    return refreshed;
                }

                throw;
            }

            // Held around read, grant and write only: whoever waited reads what this stored.
            await using (farmLock)
            {
                var (current, response) = await GrantAsync(scheme, sessionId, staleAccessToken, reason, target, bound.Token).ConfigureAwait(false);
                if (response is null)
                {
                    return current;
                }

                var updated = current.WithToken(target, response, issuedAt);
                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    // Past the bound the tombstone's lifetime counts on: not written, its refresh token revoked.
                    await DiscardAsync(scheme, updated).ConfigureAwait(false);
                    throw TimedOut(scheme, timeout, null);
                }

                await CommitAsync(sessionId, scheme, updated).ConfigureAwait(false);
                var rotated = !string.Equals(updated.RefreshToken, current.RefreshToken, StringComparison.Ordinal);
                DPoPWebLog.Refreshed(_logger, scheme, rotated);
                return updated;
            }
        }
        catch (OperationCanceledException ex) when (bound.IsCancellationRequested)
        {
            throw TimedOut(scheme, timeout, ex);
        }
    }

    private TimeoutException TimedOut(string scheme, TimeSpan timeout, Exception? inner)
    {
        DPoPWebLog.RefreshTimedOut(_logger, scheme, timeout);
        var message = $"Refreshing the user's access token of OpenID Connect scheme '{scheme}' took longer than RefreshTimeout ({timeout}); the session is kept and a later call tries again.";
        return inner is null ? new TimeoutException(message) : new TimeoutException(message, inner);
    }

    /// <summary>Reads the session and sends the refresh grant; no response when another request (or instance) already refreshed.</summary>
    private async Task<(UserSession Current, DPoPTokenResponse? Response)> GrantAsync(string scheme, string sessionId, string? staleAccessToken, string reason, TokenTarget target, CancellationToken cancellationToken)
    {
        // The store, not this process's copy, is the truth: another instance may have refreshed.
        var current = await ReadAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false);
        if (IsRefreshedSince(scheme, current.TokenFor(target), staleAccessToken))
        {
            DPoPWebLog.RefreshedElsewhere(_logger, scheme);
            return (current, null);
        }

        if (current.RefreshToken is not { } refreshToken)
        {
            throw UserSessions.Expired(_logger, metrics, scheme, DPoPSessionExpiredReason.NoRefreshToken);
        }

        DPoPWebLog.Refreshing(_logger, scheme, reason);

        // Its own copy of the key: the request that started the refresh may end (and dispose its copy) before
        // the refresh does, while other requests still wait for it.
        var key = await keys.GetForSessionAsync(scheme, current, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await SendGrantAsync(scheme, key, refreshToken, target, cancellationToken).ConfigureAwait(false);
            DPoPWebMetrics.Record(metrics.Refreshes, scheme);
            return (current, response);
        }
        catch (Exception ex) when (ex is DPoPTokenException or HttpRequestException or OperationCanceledException)
        {
            DPoPWebMetrics.Record(metrics.Refreshes, scheme, cancellationToken.IsCancellationRequested ? new TimeoutException() : ex);
            if (ex is DPoPTokenException { Error: "invalid_grant" } refused)
            {
                return (await OnRefusedAsync(scheme, sessionId, refreshToken, refused).ConfigureAwait(false), null);
            }

            throw;
        }
        finally
        {
            if (SessionKeys.IsOwnedByCaller(current))
            {
                key.Dispose();
            }
        }
    }

    /// <summary>The refresh token grant for <paramref name="target"/>, signed with the session's key.</summary>
    private async Task<DPoPTokenResponse> SendGrantAsync(string scheme, DPoPKey key, string refreshToken, TokenTarget target, CancellationToken cancellationToken)
    {
        var client = await endpoints.CreateTokenClientAsync(scheme, key, cancellationToken).ConfigureAwait(false);
        return await client.RefreshTokenForResourcesAsync(refreshToken, target.Scope, target.Resources, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>invalid_grant</c>: the session ends, unless the store meanwhile holds a newer refresh token (another instance
    /// refreshed first); then that session is the answer, and removing it would sign the user out for nothing.
    /// </summary>
    private async Task<UserSession> OnRefusedAsync(string scheme, string sessionId, string refusedToken, DPoPTokenException refused)
    {
        var stored = await store.GetAsync(scheme, sessionId, CancellationToken.None).ConfigureAwait(false);
        if (stored?.RefreshToken is { } newer && !string.Equals(newer, refusedToken, StringComparison.Ordinal))
        {
            DPoPWebLog.RefusedButNewerStored(_logger, scheme);
            return stored;
        }

        await store.RemoveAsync(scheme, sessionId, CancellationToken.None).ConfigureAwait(false);
        throw UserSessions.Expired(_logger, metrics, scheme, DPoPSessionExpiredReason.RefreshTokenRejected, refused);
    }

    /// <summary>Whether <paramref name="stored"/> no longer holds <paramref name="staleAccessToken"/> and needs no refresh: someone refreshed it.</summary>
    private bool IsRefreshedSince(string scheme, SessionAccessToken? stored, string? staleAccessToken) =>
        stored is not null && !string.Equals(stored.AccessToken, staleAccessToken, StringComparison.Ordinal)
        && endpoints.TimeProvider(scheme).GetUtcNow() < stored.RenewAt(optionsMonitor.Get(scheme).RefreshBeforeExpiry);

    /// <summary>
    /// After the farm lock failed: the session as another instance refreshed it, if it did; else null, and the lock's
    /// failure is the answer (a store that fails or stalls too adds nothing to it).
    /// </summary>
    private async Task<UserSession?> FindRefreshedAsync(string scheme, string sessionId, string? staleAccessToken, TokenTarget target, CancellationToken cancellationToken)
    {
        try
        {
            var stored = await store.GetAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false);
            if (stored is not null && IsRefreshedSince(scheme, stored.TokenFor(target), staleAccessToken))
            {
                DPoPWebLog.RefreshedElsewhere(_logger, scheme);
                return stored;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
        }

        return null;
    }

    private async Task<UserSession> ReadAsync(string scheme, string sessionId, CancellationToken cancellationToken) =>
        await store.GetAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false)
        ?? throw UserSessions.Expired(_logger, metrics, scheme, await store.GoneReasonAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false));

    /// <summary>Writes the refreshed session unless it ended, and undoes the write if it ended meanwhile (see the remarks).</summary>
    private async Task CommitAsync(string sessionId, string scheme, UserSession updated)
    {
        // Not cancellable: once the grant is answered, the rotated refresh token is either stored or revoked.
        if (!await store.IsEndedAsync(scheme, sessionId, CancellationToken.None).ConfigureAwait(false))
        {
            await store.SetAsync(scheme, sessionId, updated, optionsMonitor.Get(scheme).SessionIdleTimeout, CancellationToken.None).ConfigureAwait(false);
            if (!await store.IsEndedAsync(scheme, sessionId, CancellationToken.None).ConfigureAwait(false))
            {
                return;
            }

            await store.RemoveAsync(scheme, sessionId, CancellationToken.None).ConfigureAwait(false);
        }

        DPoPWebLog.RefreshDiscarded(_logger, scheme);
        await DiscardAsync(scheme, updated).ConfigureAwait(false);
        throw UserSessions.Expired(_logger, metrics, scheme, DPoPSessionExpiredReason.SignedOut);
    }

    /// <summary>A refresh answer that will not be kept: its refresh token (when rotated, else the old one) is revoked at once.</summary>
    private async Task DiscardAsync(string scheme, UserSession refreshed)
    {
        if (refreshed.RefreshToken is { } refreshToken)
        {
            await revocation.RevokeAsync(scheme, refreshed, refreshToken, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
