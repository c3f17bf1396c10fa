using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>Nonce rotation: lazy by lifetime or forced, current and previous accepted.</summary>
public sealed class NonceIssuerTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Test]
    public void Current_IsNqcharAnd128Bits()
    {
        var issuer = new NonceIssuer(_time, TimeSpan.FromMinutes(1));

        Assert.That(issuer.Current, Does.Match("^[A-Za-z0-9_-]{22}$"));
    }

    [Test]
    public void Current_WithinLifetime_StaysTheSame()
    {
        var issuer = new NonceIssuer(_time, TimeSpan.FromMinutes(1));
        var first = issuer.Current;

        _time.Advance(TimeSpan.FromSeconds(59));

        Assert.That(issuer.Current, Is.EqualTo(first));
    }

    [Test]
    public void IsValid_AfterOneLifetime_AcceptsPreviousAndCurrent()
    {
        var issuer = new NonceIssuer(_time, TimeSpan.FromMinutes(1));
        var first = issuer.Current;

        _time.Advance(TimeSpan.FromMinutes(1));
        var second = issuer.Current;

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.Not.EqualTo(first));
            Assert.That(issuer.IsValid(first), Is.True);
            Assert.That(issuer.IsValid(second), Is.True);
        });
    }

    [Test]
    public void IsValid_AfterTwoIdleLifetimes_RejectsOldNonce()
    {
        var issuer = new NonceIssuer(_time, TimeSpan.FromMinutes(1));
        var first = issuer.Current;

        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.That(issuer.IsValid(first), Is.False);
    }

    [Test]
    public void Rotate_Twice_RejectsTheFirstNonce()
    {
        var issuer = new NonceIssuer(_time, TimeSpan.FromMinutes(1));
        var first = issuer.Current;

        issuer.Rotate();
        var acceptedAfterOne = issuer.IsValid(first);
        issuer.Rotate();

        Assert.Multiple(() =>
        {
            Assert.That(acceptedAfterOne, Is.True);
            Assert.That(issuer.IsValid(first), Is.False);
        });
    }

    [Test]
    public void IsValid_UnknownNonce_IsFalse()
    {
        var issuer = new NonceIssuer(_time, TimeSpan.FromMinutes(1));

        Assert.That(issuer.IsValid("unknown"), Is.False);
    }

    [Test]
    public void Instances_HaveIndependentNonces()
    {
        var tokenNonces = new NonceIssuer(_time, TimeSpan.FromMinutes(1));
        var resourceNonces = new NonceIssuer(_time, TimeSpan.FromMinutes(1));

        Assert.That(resourceNonces.IsValid(tokenNonces.Current), Is.False);
    }
}
