// Checks that every NuGet package in the folder ships what users need: its own README (src/<id>/README.md, not the
// repository's, at most the given number of bytes), license (the MIT expression in the nuspec and the LICENSE file),
// the assembly and its XML docs, and a symbol package beside it.
// Run by .ci/run from the repository root as a .NET file-based app, so CI needs nothing but the SDK:
//   dotnet run --file .ci/check-package.cs -- <package folder> [<package README limit in bytes>]
using System.Globalization;
using System.IO.Compression;
using System.Xml.Linq;

var directory = args.Length > 0 ? args[0] : "artifacts";
long? readmeLimit = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : null;
var packages = Directory.GetFiles(directory, "*.nupkg").Order(StringComparer.Ordinal).ToList();
if (packages.Count == 0)
{
    Console.Error.WriteLine($"no package in {directory}");
    return 1;
}

var failures = 0;
foreach (var package in packages)
{
    using var zip = ZipFile.OpenRead(package);
    var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    var nuspecEntry = zip.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
    XDocument nuspec;
    using (var stream = nuspecEntry.Open())
    {
        nuspec = XDocument.Load(stream);
    }

    var metadata = nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    string? Meta(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
    var license = metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "license");
    var id = Meta("id")!;
    var version = Meta("version")!;

    string[] required = ["README.md", "LICENSE", $"lib/net10.0/{id}.dll", $"lib/net10.0/{id}.xml"];
    var missing = required.Where(r => !entries.Contains(r)).ToList();
    if (license is null || (string?)license.Attribute("type") != "expression" || license.Value != "MIT")
    {
        missing.Add("license expression MIT in the nuspec");
    }

    if (Meta("readme") != "README.md")
    {
        missing.Add("readme in the nuspec");
    }

    // NuGet shows the package's own short README (src/<id>/README.md), never the repository's long one.
    if (entries.Contains("README.md"))
    {
        byte[] packed;
        using (var stream = zip.GetEntry("README.md")!.Open())
        using (var copy = new MemoryStream())
        {
            stream.CopyTo(copy);
            packed = copy.ToArray();
        }

        var own = Path.Combine("src", id, "README.md");
        if (!File.Exists(own) || !packed.AsSpan().SequenceEqual(File.ReadAllBytes(own)))
        {
            missing.Add($"its own README ({own}; the packed README.md differs{(File.Exists("README.md") && packed.AsSpan().SequenceEqual(File.ReadAllBytes("README.md")) ? ": it is the repository's README.md" : "")})");
        }
        else if (packed.Length > readmeLimit)
        {
            missing.Add($"a README within {readmeLimit} bytes (it has {packed.Length})");
        }
    }

    // A package that uses another of ours through InternalsVisibleTo depends on exactly the version it was built with.
    foreach (var dependency in metadata.Descendants().Where(e => e.Name.LocalName == "dependency" && ((string?)e.Attribute("id"))?.StartsWith("DPoP.Http", StringComparison.Ordinal) == true))
    {
        if ((string?)dependency.Attribute("version") != $"[{version}]")
        {
            missing.Add($"an exact dependency on {(string?)dependency.Attribute("id")} [{version}] (found {(string?)dependency.Attribute("version")})");
        }
    }

    if (!File.Exists(Path.Combine(directory, $"{id}.{version}.snupkg")))
    {
        missing.Add("symbol package (.snupkg)");
    }

    if (missing.Count > 0)
    {
        Console.Error.WriteLine($"{Path.GetFileName(package)} lacks: {string.Join(", ", missing)}");
        failures++;
    }
    else
    {
        Console.WriteLine($"{Path.GetFileName(package)}: its own README, MIT license and LICENSE, XML docs and symbols present.");
    }
}

return failures == 0 ? 0 : 1;
