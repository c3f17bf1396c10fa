using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The server-side home of each session's tokens and key: the app's <see cref="IDistributedCache"/> (in memory
/// unless the app registers Redis, SQL Server, …), every entry protected with Data Protection under a purpose that
/// names the scheme, so the cache never holds a token or key in plain text and one scheme cannot read another's.
/// Beside each ended session, for a while, its tombstone (see <see cref="UserSessions"/>). A failing cache surfaces
/// as an <see cref="InvalidOperationException"/> naming the scheme and the store, the cache's own exception inside.
/// </summary>
internal sealed class UserSessionStore(IDistributedCache cache, IDataProtectionProvider dataProtection)
{
    private const string Purpose = "DPoP.Http.AspNetCore.UserSession.v1";
    private static readonly byte[] Tombstone = [1];

    /// <summary>The session, or null when it is not stored, unreadable, or (unless <paramref name="evenIfEnded"/>) ended.</summary>
    public async Task<UserSession?> GetAsync(string scheme, string sessionId, CancellationToken cancellationToken, bool evenIfEnded = false)
    {
        byte[]? data;
        try
        {
            // Both entries at once: one round trip's latency on a remote store.
            var reading = cache.GetAsync(Key(scheme, sessionId), cancellationToken);
            var ended = evenIfEnded ? Task.FromResult<byte[]?>(null) : cache.GetAsync(TombstoneKey(scheme, sessionId), cancellationToken);
            // A stalled store (a Redis client honours cancellation only before it sends) must not outlast the caller's bound.
            await Task.WhenAll(reading, ended).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (await ended.ConfigureAwait(false) is not null)
            {
                return null;
            }

            data = await reading.ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failed(scheme, "read", ex);
        }

        if (data is null)
        {
            return null;
        }

        try
        {
            var plain = Protector(scheme).Unprotect(data);
            return JsonSerializer.Deserialize(plain, UserSessionJsonContext.Default.UserSession);
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or JsonException)
        {
            // Written under another key ring or corrupted: as good as gone, and replaced at the next sign-in.
            await RemoveAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    public Task SetAsync(string scheme, string sessionId, UserSession session, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(session, UserSessionJsonContext.Default.UserSession);
        var entry = new DistributedCacheEntryOptions { SlidingExpiration = idleTimeout };
        var data = Protector(scheme).Protect(plain);
        return Guard(scheme, "written", () => cache.SetAsync(Key(scheme, sessionId), data, entry, cancellationToken));
    }

    public Task RemoveAsync(string scheme, string sessionId, CancellationToken cancellationToken) =>
        Guard(scheme, "removed", () => cache.RemoveAsync(Key(scheme, sessionId), cancellationToken));

    /// <summary>Marks the session ended for <paramref name="lifetime"/>: from then on it reads as gone, whatever is written after.</summary>
    public Task MarkEndedAsync(string scheme, string sessionId, TimeSpan lifetime, CancellationToken cancellationToken) =>
        Guard(scheme, "marked as ended", () => cache.SetAsync(
            TombstoneKey(scheme, sessionId), Tombstone, new DistributedCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime }, cancellationToken));

    /// <summary>Whether the session has been ended (its tombstone is still there).</summary>
    public async Task<bool> IsEndedAsync(string scheme, string sessionId, CancellationToken cancellationToken)
    {
        try
        {
            return await cache.GetAsync(TombstoneKey(scheme, sessionId), cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failed(scheme, "read", ex);
        }
    }

    /// <summary>Whether <paramref name="exception"/> is the store failing, not a caller's cancellation.</summary>
    private static bool IsStoreFailure(Exception exception) => exception is not OperationCanceledException;

    /// <summary>Why <see cref="GetAsync"/> found no session: it was ended (signed out), or it is simply not there.</summary>
    public async Task<DPoPSessionExpiredReason> GoneReasonAsync(string scheme, string sessionId, CancellationToken cancellationToken) =>
        await IsEndedAsync(scheme, sessionId, cancellationToken).ConfigureAwait(false) ? DPoPSessionExpiredReason.SignedOut : DPoPSessionExpiredReason.SessionNotFound;

    private static string Key(string scheme, string sessionId) => $"DPoP.Http.AspNetCore:session:{scheme}:{sessionId}";

    private static string TombstoneKey(string scheme, string sessionId) => $"DPoP.Http.AspNetCore:ended:{scheme}:{sessionId}";

    private async Task Guard(string scheme, string action, Func<Task> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw Failed(scheme, action, ex);
        }
    }

    private InvalidOperationException Failed(string scheme, string action, Exception inner) => new(
        $"DPoP for OpenID Connect scheme '{scheme}': the session store (the app's IDistributedCache, {cache.GetType().FullName}) failed, so the user's session could not be {action}. The store's exception is the inner exception.",
        inner);

    private IDataProtector Protector(string scheme) => dataProtection.CreateProtector(Purpose, scheme);
}
