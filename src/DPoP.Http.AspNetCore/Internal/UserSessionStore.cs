using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The server-side home of each session's tokens and key: the app's <see cref="IDistributedCache"/> (in memory
/// unless the app registers Redis, SQL Server, …), every entry protected with Data Protection under a purpose that
/// names the scheme, so the cache never holds a token or key in plain text and one scheme cannot read another's.
/// </summary>
internal sealed class UserSessionStore(IDistributedCache cache, IDataProtectionProvider dataProtection)
{
    private const string Purpose = "DPoP.Http.AspNetCore.UserSession.v1";

    public async Task<UserSession?> GetAsync(string scheme, string sessionId, CancellationToken cancellationToken)
    {
        var data = await cache.GetAsync(Key(scheme, sessionId), cancellationToken).ConfigureAwait(false);
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
            await cache.RemoveAsync(Key(scheme, sessionId), cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    public Task SetAsync(string scheme, string sessionId, UserSession session, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(session, UserSessionJsonContext.Default.UserSession);
        return cache.SetAsync(
            Key(scheme, sessionId),
            Protector(scheme).Protect(plain),
            new DistributedCacheEntryOptions { SlidingExpiration = idleTimeout },
            cancellationToken);
    }

    public Task RemoveAsync(string scheme, string sessionId, CancellationToken cancellationToken) =>
        cache.RemoveAsync(Key(scheme, sessionId), cancellationToken);

    private static string Key(string scheme, string sessionId) => $"DPoP.Http.AspNetCore:session:{scheme}:{sessionId}";

    private IDataProtector Protector(string scheme) => dataProtection.CreateProtector(Purpose, scheme);
}
