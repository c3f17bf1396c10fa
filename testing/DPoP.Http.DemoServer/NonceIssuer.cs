using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer;

/// <summary>
/// The nonces of one server (RFC 9449 §8, §9): a current and a previous random value, both accepted. The current
/// one is replaced when it is older than the lifetime (checked lazily, on use) or when <see cref="Rotate"/> is called.
/// </summary>
internal sealed class NonceIssuer
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _lifetime;
    private string _current;
    private string? _previous;
    private DateTimeOffset _currentSince;

    public NonceIssuer(TimeProvider timeProvider, TimeSpan lifetime)
    {
        _timeProvider = timeProvider;
        _lifetime = lifetime;
        _current = NewNonce();
        _currentSince = timeProvider.GetUtcNow();
    }

    /// <summary>The nonce to hand out now.</summary>
    public string Current
    {
        get
        {
            lock (_lock)
            {
                RotateIfDue();
                return _current;
            }
        }
    }

    /// <summary>Whether <paramref name="nonce"/> is the current or the previous nonce.</summary>
    public bool IsValid(string nonce)
    {
        string current;
        string? previous;
        lock (_lock)
        {
            RotateIfDue();
            current = _current;
            previous = _previous;
        }

        return FixedTimeEquals(nonce, current) || (previous is not null && FixedTimeEquals(nonce, previous));
    }

    /// <summary>Makes a new current nonce now; the current one becomes the previous one.</summary>
    public void Rotate()
    {
        lock (_lock)
        {
            _previous = _current;
            _current = NewNonce();
            _currentSince = _timeProvider.GetUtcNow();
        }
    }

    private void RotateIfDue()
    {
        var now = _timeProvider.GetUtcNow();
        var age = now - _currentSince;
        if (age < _lifetime)
        {
            return;
        }

        // Two lifetimes without a request: the previous nonce is as stale as the current one.
        _previous = age < _lifetime + _lifetime ? _current : null;
        _current = NewNonce();
        _currentSince = now;
    }

    // 128 random bits in base64url: 22 characters, all NQCHAR (RFC 9449 §8.1).
    private static string NewNonce() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

    private static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
