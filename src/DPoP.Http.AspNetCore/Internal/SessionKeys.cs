using DPoP.Http.Internal;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The DPoP keys of a scheme's sessions: a new key per sign-in, carried from the challenge to the callback inside
/// the authentication properties (which the OpenID Connect handler protects into <c>state</c>) and protected once
/// more with its own Data Protection purpose, so it is never in plain text outside this process; or the one
/// app-wide key, from configuration or the app's <see cref="IDPoPKeyProvider"/>.
/// </summary>
internal sealed class SessionKeys(IServiceProvider services, IDataProtectionProvider dataProtection, IOptionsMonitor<DPoPOpenIdConnectOptions> optionsMonitor)
{
    private const string Purpose = "DPoP.Http.AspNetCore.ChallengeKey.v1";
    private readonly Dictionary<string, DPoPKey> _configuredKeys = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool IsPerSession(string scheme) => optionsMonitor.Get(scheme).KeyPerSession;

    public static string PropertiesItem(string scheme) => $".dpop.key.{scheme}";

    /// <summary>The key for a new sign-in: a fresh one, or the app-wide one.</summary>
    public async ValueTask<DPoPKey> CreateForSignInAsync(string scheme, CancellationToken cancellationToken)
    {
        var options = optionsMonitor.Get(scheme);
        return options.KeyPerSession ? DPoPKey.Generate(options.Algorithm) : await GetAppKeyAsync(scheme, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Puts a per-session key, protected, into the properties that travel in <c>state</c>.</summary>
    public void AddToChallenge(string scheme, AuthenticationProperties properties, DPoPKey key)
    {
        if (optionsMonitor.Get(scheme).KeyPerSession)
        {
            var jwk = Encoding.UTF8.GetBytes(key.ExportPrivateJwk());
            try
            {
                properties.Items[PropertiesItem(scheme)] = Convert.ToBase64String(dataProtection.CreateProtector(Purpose, scheme).Protect(jwk));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(jwk);
            }
        }
    }

    /// <summary>
    /// Takes the key back out of the callback's properties (and removes it, so it never reaches the cookie).
    /// Returns the private JWK to store with the session (null for the app-wide key) and the key itself.
    /// </summary>
    public async ValueTask<(DPoPKey Key, string? PrivateJwk)> TakeFromCallbackAsync(string scheme, AuthenticationProperties properties, CancellationToken cancellationToken)
    {
        if (!optionsMonitor.Get(scheme).KeyPerSession)
        {
            return (await GetAppKeyAsync(scheme, cancellationToken).ConfigureAwait(false), null);
        }

        var item = PropertiesItem(scheme);
        if (!properties.Items.Remove(item, out var protectedKey) || string.IsNullOrEmpty(protectedKey))
        {
            throw new InvalidOperationException($"DPoP for OpenID Connect scheme '{scheme}': the sign-in callback carries no DPoP key; the challenge did not go through DPoP.Http.AspNetCore.");
        }

        var jwk = Encoding.UTF8.GetString(dataProtection.CreateProtector(Purpose, scheme).Unprotect(Convert.FromBase64String(protectedKey)));
        return (DPoPKey.FromJwk(jwk), jwk);
    }

    /// <summary>The key of a stored session: its own, or the app-wide one.</summary>
    public async ValueTask<DPoPKey> GetForSessionAsync(string scheme, UserSession session, CancellationToken cancellationToken) =>
        session.PrivateJwk is { } jwk ? DPoPKey.FromJwk(jwk) : await GetAppKeyAsync(scheme, cancellationToken).ConfigureAwait(false);

    /// <summary>Whether <see cref="GetForSessionAsync"/> returns a key the caller owns (and must dispose).</summary>
    public static bool IsOwnedByCaller(UserSession session) => session.PrivateJwk is not null;

    private async ValueTask<DPoPKey> GetAppKeyAsync(string scheme, CancellationToken cancellationToken)
    {
        var options = optionsMonitor.Get(scheme);
        if (!string.IsNullOrEmpty(options.PrivateKey) || !string.IsNullOrEmpty(options.PrivateKeyPath))
        {
            lock (_lock)
            {
                if (!_configuredKeys.TryGetValue(scheme, out var key))
                {
                    // The routine start-up validation ran on the same settings (OptionsValidators), so what passed there loads here.
                    key = DPoPKeyText.Load(options.PrivateKey, options.PrivateKeyPath, algorithm: null);
                    _configuredKeys[scheme] = key;
                }

                return key;
            }
        }

        var provider = services.GetRequiredService<IDPoPKeyProvider>();
        return await provider.GetKeyAsync(string.IsNullOrEmpty(options.KeyName) ? scheme : options.KeyName, cancellationToken).ConfigureAwait(false);
    }
}
