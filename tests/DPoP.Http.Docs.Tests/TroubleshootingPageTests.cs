using DPoP.Http.Docs.Tests.Support;

namespace DPoP.Http.Docs.Tests;

/// <summary>docs/articles/operations/troubleshooting.md has an entry (a heading named after the type) for every exception type a user can meet.</summary>
public sealed class TroubleshootingPageTests
{
    private const string Page = "articles/operations/troubleshooting.md";

    [Test]
    public void ExceptionTypes_ThrownDocumentedOrDefined_EachHasAHeading()
    {
        var headings = DocsPage.Read(Page).Headings().ToHashSet(StringComparer.Ordinal);

        var missing = ThrownExceptions.All().Where(t => !headings.Contains(t)).Order(StringComparer.Ordinal).ToList();

        Assert.That(missing, Is.Empty, () => $"{Page} has no heading for these exception types (add '## TypeName' with its causes and fixes): {string.Join(", ", missing)}");
    }

    [Test]
    public void ThrownExceptions_BothPackages_FoundByEachSource()
    {
        // The inventory must see what is known to be there, or the page test above could pass on an empty set.
        var core = PackageAssemblies.Core;
        var web = PackageAssemblies.All[1];
        Assert.Multiple(() =>
        {
            Assert.That(ThrownExceptions.DefinedPublicTypes(core), Does.Contain("DPoPTokenException"));
            Assert.That(ThrownExceptions.DefinedPublicTypes(web), Does.Contain("DPoPSessionExpiredException"));
            Assert.That(ThrownExceptions.DocumentedTypes(core), Does.Contain("HttpRequestException"));
            Assert.That(ThrownExceptions.DocumentedTypes(web), Does.Contain("TimeoutException"));
            Assert.That(ThrownExceptions.ConstructedTypes(core), Does.Contain("ArgumentException").And.Contain("CryptographicException"));
            Assert.That(ThrownExceptions.ConstructedTypes(web), Does.Contain("DPoPSessionExpiredException").And.Contain("InvalidOperationException"));
            Assert.That(ThrownExceptions.OptionsValidation(core), Does.Contain("OptionsValidationException"));
        });
    }
}
