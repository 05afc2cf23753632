using FsCheck;
using FsCheck.Fluent;

namespace Lah.Data.Tests;

public class SplitTests
{
    [Fact]
    public void Same_seed_gives_the_same_split_and_parts_are_consistent()
    {
        Prop.ForAll<ulong>(seed =>
        {
            var a = Splits.Dch(3000, 500, 1000, seed);
            var b = Splits.Dch(3000, 500, 1000, seed);
            var db = a.Database.ToHashSet();
            return a.Train.SequenceEqual(b.Train) && a.Query.SequenceEqual(b.Query) && a.Database.SequenceEqual(b.Database)
                && a.Query.Length == 500 && a.Train.Length == 1000 && a.Database.Length == 2500
                && !a.Query.Any(db.Contains) && a.Train.All(db.Contains);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Seeded_lah_split_partitions_the_pool()
    {
        Prop.ForAll<ulong>(seed =>
        {
            var a = Splits.SeededLah(1000, 300, seed);
            var all = a.Train.Concat(a.Query).Order().ToArray();
            return all.SequenceEqual(Enumerable.Range(0, 1000)) && a.Query.SequenceEqual(a.Database)
                && a.Query.SequenceEqual(Splits.SeededLah(1000, 300, seed).Query);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Different_seeds_differ_and_values_are_pinned()
    {
        var a = Splits.Dch(25000, 2000, 10000, 1);
        var b = Splits.Dch(25000, 2000, 10000, 2);
        Assert.NotEqual(a.Query, b.Query);
        // Pinned so that a change of PRNG or algorithm (which would change every machine's splits) is noticed.
        var sm = 0UL;
        Assert.Equal(0xE220A8397B1DCDAFUL, Rng.SplitMix(ref sm)); // SplitMix64's published first output for seed 0
        Assert.Equal(17849240473803349682UL, Rng.For(1, 2, 3).NextUInt64()); // regression pin
        var p = new Rng(1).Permutation(10);
        Assert.Equal([3, 6, 1, 5, 0], p[..5]);
        Assert.Equal(Enumerable.Range(0, 10), p.Order());
    }

    [Fact]
    public void Named_protocols_have_the_real_sizes()
    {
        // COCO full: 82,081 + 40,137 annotated images (ML-GCN's counts) = 122,218, DCH's pool.
        var dchFull = Splits.ForDataset("coco2014", "dch-full", 122218, 82081, 7);
        Assert.Equal((10000, 5000, 117218), (dchFull.Train.Length, dchFull.Query.Length, dchFull.Database.Length));
        var officialFull = Splits.ForDataset("coco2014", "lah-official-full", 122218, 82081, 7);
        Assert.Equal((82081, 40137), (officialFull.Train.Length, officialFull.Query.Length));
        Assert.True(officialFull.LeaveOneOut);
        // COCO lists: the database is the 10,000 training images, the queries the 5,000 of test.txt.
        var lists = Splits.ForDataset("coco2014", "hashnet-lists", 15000, 10000, 7);
        Assert.Equal(Enumerable.Range(0, 10000), lists.Database);
        Assert.Equal(lists.Train, lists.Database);
        Assert.Equal(Enumerable.Range(10000, 5000), lists.Query);
        Assert.False(lists.LeaveOneOut);
        var voc = Splits.ForDataset("voc2007", "dch-trainval-test", 9963, 5011, 7);
        Assert.Equal(Enumerable.Range(0, 5011), voc.Database);
        Assert.Equal(Enumerable.Range(5011, 4952), voc.Query);
        var flickr = Splits.ForDataset("mirflickr25k", "dch-random", 24581, 14748, 7);
        Assert.Equal((10000, 2000, 22581), (flickr.Train.Length, flickr.Query.Length, flickr.Database.Length));
        var lah = Splits.ForDataset("mirflickr25k", "lah-official", 24581, 14748, 0);
        Assert.True(lah.LeaveOneOut);
        Assert.Equal(9833, lah.Query.Length);
    }

    [Fact]
    public void Old_names_build_what_they_built_before_under_the_new_name()
    {
        var dch = Splits.ForDataset("coco2014", "dch", 15000, 10000, 3);
        Assert.Equal("dch-lists", dch.Protocol);
        var before = Splits.Dch(15000, 5000, 10000, 3);
        Assert.Equal(before.Query, dch.Query);
        Assert.Equal(before.Database, dch.Database);
        Assert.Equal(before.Train, dch.Train);
        Assert.Equal("lah-lists", Splits.ForDataset("coco2014", "lah", 15000, 10000, 0).Protocol);
        Assert.Equal("dch-trainval-test", Splits.ForDataset("voc2007", "dch", 9963, 5011, 0).Protocol);
        Assert.Equal("dch-random", Splits.ForDataset("mirflickr25k", "dch", 24581, 14748, 0).Protocol);
        Assert.Equal("lah-official", Splits.ForDataset("voc2007", "lah", 9963, 5011, 0).Protocol);
    }

    [Fact]
    public void Unknown_names_list_the_valid_ones()
    {
        var d = Assert.Throws<ArgumentException>(() => Splits.ForDataset("imagenet", "dch", 10, 5, 0));
        Assert.Contains("voc2007, coco2014, mirflickr25k", d.Message);
        var p = Assert.Throws<ArgumentException>(() => Splits.ForDataset("coco2014", "dch-ful", 10, 5, 0));
        Assert.Contains("'dch-ful'", p.Message);
        Assert.Contains("hashnet-lists, lah-lists, dch-lists, dch-full, lah-official-full", p.Message);
        Assert.Throws<ArgumentException>(() => Splits.ForDataset("voc2007", "dch-full", 10, 5, 0));
        // A fixed split has no counts to override.
        Assert.Throws<ArgumentException>(() => Splits.ForDataset("coco2014", "hashnet-lists", 15, 10, 0, queries: 2));
        // Every named protocol is reachable through ForDataset.
        foreach (var n in Splits.Named)
            Assert.Equal(n.Name, Splits.ForDataset(n.Dataset, n.Name, 100, 60, 1, n.DefaultQueries is null ? null : 10, n.DefaultTrain is null ? null : 20).Protocol);
    }

    [Fact]
    public void Lists_protocols_on_the_lists_pool_and_full_ones_refused_there()
    {
        var pool = LahDatasets.Load("coco2014", DataPaths.LahLabelDirectory("coco2014"), "/img");
        var lists = Splits.ForPool("coco2014", "hashnet-lists", pool, 0);
        Assert.Equal(5000, lists.Query.Length);
        Assert.Equal(10000, lists.Database.Length);
        Assert.StartsWith("COCO_train2014_000000072095", pool.Pool[lists.Database[0]].Id);
        var e = Assert.Throws<ArgumentException>(() => Splits.ForPool("coco2014", "dch-full", pool, 0));
        Assert.Contains("coco-instances", e.Message);
        Assert.Contains("LoadCocoFull", e.Message);
    }

    [Fact]
    public void Random_protocols_scale_their_counts_down_on_a_smaller_pool()
    {
        var flickr = Splits.Find("mirflickr25k", SplitNames.DchAnnotations);
        Assert.Equal((2000, 10000), Splits.CountsFor(flickr, 24581));
        Assert.Equal((2000, 10000), Splits.CountsFor(flickr, 30000));
        Assert.Equal((200, 1000), Splits.CountsFor(flickr, 2458)); // 199.99…, 999.96…
        Assert.Equal((1, 1), Splits.CountsFor(flickr, 3));
        Assert.Equal((1, 0), Splits.CountsFor(flickr, 1));
        var coco = Splits.Find("coco2014", SplitNames.DchFull);
        Assert.Equal((184, 368), Splits.CountsFor(coco, 4500)); // 5000·4500/122218 = 184.1, 368.2
        Assert.Throws<ArgumentException>(() => Splits.CountsFor(Splits.Find("voc2007", SplitNames.DchDevkit), 10));
        // Explicit counts still win; ForDataset scales what is not given.
        var s = Splits.ForDataset("mirflickr25k", SplitNames.DchAnnotations, 2458, 0, 1, queries: 50);
        Assert.Equal((50, 1000), (s.Query.Length, s.Train.Length));
    }
}
