// Two ways to lay a tree ensemble out in flash:
//   unrolled: every node becomes a compare-and-branch with its threshold and
//             feature as immediates (fastest; code grows with the node count);
//   table:    decision nodes in a bit-packed table read by one small loop
//             (smallest; thresholds de-duplicated, fields as narrow as the
//             model allows, leaf rows shared between trees).
// Both visit the same leaves, so they predict identically.
#pragma once

#include <array>
#include <cstddef>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <ctml/detail/code_size.hpp>
#include <ctml/detail/flash.hpp>
#include <ctml/trees/leaves.hpp>

namespace ctml {

/// Layout tags, for `forest_classifier<P, Policy, Layout>` or `model.with(layout)`.
struct unrolled_layout {};
struct table_layout {};
/// Unrolled for small ensembles (<= 2048 decision nodes), table beyond.
struct automatic_layout {};
/// Unrolled if its estimated flash fits Budget::flash, else the table.
template <class Budget> struct fastest_within { using budget = Budget; };

namespace detail {
template <class L> inline constexpr bool is_tree_layout = false;
template <> inline constexpr bool is_tree_layout<unrolled_layout> = true;
template <> inline constexpr bool is_tree_layout<table_layout> = true;
template <> inline constexpr bool is_tree_layout<automatic_layout> = true;
template <class B> inline constexpr bool is_tree_layout<fastest_within<B>> = true;
}  // namespace detail

template <class L>
concept TreeLayout = detail::is_tree_layout<L>;

}  // namespace ctml

namespace ctml::trees {

/// Runs `body(i)` for i in [0, n) with loops short enough for GCC's
/// constexpr loop limit (262144 iterations per loop); 2^14 fits AVR's 16-bit size_t.
template <class F>
constexpr void for_n(std::size_t n, F&& body) {
  constexpr std::size_t block = std::size_t{1} << 14;
  for (std::size_t begin = 0; begin < n;) {
    const std::size_t end = n - begin > block ? begin + block : n;
    for (std::size_t i = begin; i < end; ++i) body(i);
    begin = end;
  }
}

template <class Params>
struct shape {
  static constexpr bool is_leaf(std::size_t i) noexcept { return Params::left[i] < 0; }
  static constexpr std::size_t count_decisions() noexcept {
    std::size_t n = 0;
    for_n(Params::n_nodes, [&](std::size_t i) { n += !is_leaf(i); });
    return n;
  }
  static constexpr std::size_t n_decisions = count_decisions();
  static constexpr std::size_t n_leaves = Params::n_nodes - n_decisions;
  /// The table layout needs pre-order: a decision node's left child follows it.
  static constexpr bool preorder() noexcept {
    bool ok = true;
    for_n(Params::n_nodes, [&](std::size_t i) {
      if (!is_leaf(i)) ok = ok && Params::left[i] == static_cast<std::int32_t>(i + 1);
    });
    return ok;
  }
};

/// Nested compare-and-branch code, one template instance per node.
template <class Params, class Rule>
struct unrolled {
  using input_type = typename Rule::input_type;

  // Forced inline: the whole ensemble becomes one branchy function, no calls.
  template <std::size_t Node, class Votes>
  CTML_ALWAYS_INLINE static constexpr void visit(const input_type* x, Votes& votes, std::size_t tree) noexcept {
    if constexpr (Params::left[Node] < 0) {
      votes.template add<static_cast<std::size_t>(Params::leaf[Node])>(tree);
    } else {
      constexpr auto key = Rule::key(Params::threshold[Node], static_cast<std::size_t>(Params::feature[Node]));
      if (Rule::template goes_left<key>(x[Params::feature[Node]]))
        visit<static_cast<std::size_t>(Params::left[Node])>(x, votes, tree);
      else
        visit<static_cast<std::size_t>(Params::right[Node])>(x, votes, tree);
    }
  }

  template <class Votes, std::size_t... T>
  CTML_ALWAYS_INLINE static constexpr void run_trees(const input_type* x, Votes& votes,
                                                    std::index_sequence<T...>) noexcept {
    (visit<static_cast<std::size_t>(Params::root[T])>(x, votes, T), ...);
  }
  template <class Votes>
  static constexpr void run(const input_type* x, Votes& votes) noexcept {
    run_trees(x, votes, std::make_index_sequence<Params::n_trees>{});
  }

  /// Everything is code: a load, a compare with a literal and a branch per
  /// decision node, an add per leaf (detail/code_size.hpp, per instruction set).
  static constexpr std::size_t data_bytes = 0;
  static constexpr std::size_t code_bytes = Params::n_nodes * detail::target_code.unrolled_node_x10 / 10;
  static constexpr bool compact = false;  // votes are immediates in the code
};

/// Decision nodes as bit-packed words of as few bytes as the model needs, in
/// pre-order:
///   [ feature | key index | left is leaf | right is leaf | ref ]
/// where ref is the right child's distance (both children are nodes), the
/// leaf row of the one leaf child, or, when both children are leaves, both
/// rows or (if that is smaller) an index into a table of distinct row pairs.
template <class Params, class Rule>
struct table {
  using input_type = typename Rule::input_type;
  using key_type = typename Rule::key_type;
  using shape_t = shape<Params>;
  static_assert(shape_t::preorder(),
                "ctml: the table layout needs trees in pre-order (left child right after its parent); "
                "regenerate the header with `python3 -m ctml convert`");
  static constexpr std::size_t n_dec = shape_t::n_decisions;

  // Decision-node number of each node (pre-order rank among decision nodes).
  static constexpr std::array<std::uint32_t, Params::n_nodes> rank = [] {
    std::array<std::uint32_t, Params::n_nodes> r{};
    std::uint32_t d = 0;
    for_n(Params::n_nodes, [&](std::size_t i) {
      r[i] = d;
      d += !shape_t::is_leaf(i);
    });
    return r;
  }();
  static constexpr std::size_t rank_of(std::size_t node) noexcept { return static_cast<std::size_t>(rank[node]); }

  // Per decision node (in rank order): its threshold key, and its pair of
  // leaf rows when both children are leaves. Each derivation is a constant
  // expression of its own, so large forests stay within the compilers' limits.
  static constexpr std::uint64_t none = ~std::uint64_t{0};
  static constexpr bool both_leaves(std::size_t i) noexcept {
    return shape_t::is_leaf(i + 1) && shape_t::is_leaf(static_cast<std::size_t>(Params::right[i]));
  }
  static constexpr std::array<std::uint64_t, n_dec> node_key = [] {
    std::array<std::uint64_t, n_dec> k{};
    for_n(Params::n_nodes, [&](std::size_t i) {
      if (!shape_t::is_leaf(i)) k[rank_of(i)] = static_cast<std::uint64_t>(Rule::key(Params::threshold[i], static_cast<std::size_t>(Params::feature[i])));
    });
    return k;
  }();
  static constexpr std::array<std::uint64_t, n_dec> node_pair = [] {
    std::array<std::uint64_t, n_dec> k{};
    for_n(Params::n_nodes, [&](std::size_t i) {
      if (shape_t::is_leaf(i)) return;
      k[rank_of(i)] = both_leaves(i) ? static_cast<std::uint64_t>(Params::leaf[i + 1]) |
                                           (static_cast<std::uint64_t>(Params::leaf[Params::right[i]]) << 32)
                                     : none;
    });
    return k;
  }();

  // De-duplication in first-use order, by open addressing on the 64-bit key.
  // Plain arrays and loops: GCC counts each std::array::operator[] call
  // against its constexpr operation limit, and forests are large.
  struct distinct {
    std::uint64_t values[n_dec + 1]{};
    std::uint32_t index_of_rank[n_dec + 1]{};
    std::size_t size = 0;
  };
  // `Sparse`: entries equal to `none` are skipped (node pairs); every key
  // counts (an integer key of -1 is ~0 as uint64, a real key, not `none`).
  template <const std::array<std::uint64_t, n_dec>& Keys, bool Sparse>
  static constexpr distinct dedup() noexcept {
    constexpr std::size_t hash_size = std::size_t{1} << bit_width(2 * n_dec + 1);
    distinct s{};
    std::uint32_t slot[hash_size]{};  // 0 = empty, else index + 1
    const std::uint64_t* key_of = Keys.data();
    constexpr std::size_t block = std::size_t{1} << 14;  // GCC's loop limit, AVR's size_t
    for (std::size_t begin = 0, end = 0; begin < n_dec; begin = end) {
      end = n_dec - begin > block ? begin + block : n_dec;
      for (std::size_t d = begin; d < end; ++d) {
        const std::uint64_t k = key_of[d];
        if (Sparse && k == none) continue;
        auto h = static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ull) >> 40) & (hash_size - 1);
        while (slot[h] != 0 && s.values[slot[h] - 1] != k) h = (h + 1) & (hash_size - 1);
        if (slot[h] == 0) {
          s.values[s.size] = k;
          slot[h] = static_cast<std::uint32_t>(++s.size);
        }
        s.index_of_rank[d] = slot[h] - 1;
      }
    }
    return s;
  }
  static constexpr distinct key_info = dedup<node_key, false>();
  static constexpr std::size_t n_keys = key_info.size;
  static constexpr distinct pair_info = dedup<node_pair, true>();
  static constexpr std::size_t n_pairs = pair_info.size;

  // Field widths.
  static constexpr std::size_t max_offset() noexcept {
    std::size_t m = 0;
    for_n(Params::n_nodes, [&](std::size_t i) {
      if (shape_t::is_leaf(i)) return;
      const auto r = static_cast<std::size_t>(Params::right[i]);
      if (!shape_t::is_leaf(r) && !shape_t::is_leaf(i + 1)) {
        const std::size_t off = rank_of(r) - rank_of(i);
        m = off > m ? off : m;
      }
    });
    return m;
  }
  static constexpr int at_least_1(int bits) noexcept { return bits > 0 ? bits : 1; }
  static constexpr int feature_bits = at_least_1(bit_width(Params::n_features - 1));
  // (A forest of single leaves has no keys and no pairs: one bit each.)
  static constexpr int key_bits = at_least_1(bit_width(n_keys > 0 ? n_keys - 1 : 0));
  static constexpr int row_bits = at_least_1(bit_width(Params::n_values - 1));
  static constexpr int pair_bits = at_least_1(bit_width(n_pairs > 0 ? n_pairs - 1 : 0));
  static constexpr int single_ref_bits = bit_width(max_offset()) > row_bits ? bit_width(max_offset()) : row_bits;
  static constexpr int max_of(int a, int b) noexcept { return a > b ? a : b; }
  static constexpr std::size_t word_bytes_for(int ref_width) noexcept {
    return static_cast<std::size_t>((feature_bits + key_bits + 2 + ref_width + 7) / 8);
  }
  using row_type = uint_for<Params::n_values>;
  // Both rows in the word, or an index into the pair table: whichever is smaller.
  static constexpr bool use_pairs =
      n_dec * word_bytes_for(max_of(single_ref_bits, pair_bits)) + n_pairs * 2 * sizeof(row_type) <
      n_dec * word_bytes_for(max_of(single_ref_bits, 2 * row_bits));
  static constexpr int ref_bits = max_of(single_ref_bits, use_pairs ? pair_bits : 2 * row_bits);
  static constexpr std::size_t word_bytes = word_bytes_for(ref_bits);
  static_assert(word_bytes <= 8,
                "ctml: tree too large for the table layout (a node needs more than 64 bits: features, thresholds "
                "and leaf rows): use model.with(ctml::unrolled_layout{})");
  using word_type = std::conditional_t<(word_bytes <= 2), std::uint16_t,
                                       std::conditional_t<(word_bytes <= 4), std::uint32_t, std::uint64_t>>;
  static constexpr int key_shift = feature_bits;
  static constexpr int left_leaf_shift = key_shift + key_bits;
  static constexpr int right_leaf_shift = left_leaf_shift + 1;
  static constexpr int ref_shift = right_leaf_shift + 1;

  // The node words, in chunks of 2^15 decision nodes: each chunk is its own
  // constant expression (a 300,000-node forest stays within GCC's limits).
  static constexpr std::size_t chunk_bits = 15;
  static constexpr std::size_t chunk_nodes = std::size_t{1} << chunk_bits;
  static constexpr std::size_t n_chunks = n_dec == 0 ? 1 : (n_dec + chunk_nodes - 1) / chunk_nodes;
  static constexpr std::array<std::uint32_t, n_dec + 1> node_of_rank = [] {
    std::array<std::uint32_t, n_dec + 1> n{};
    for_n(Params::n_nodes, [&](std::size_t i) {
      if (!shape_t::is_leaf(i)) n[rank_of(i)] = static_cast<std::uint32_t>(i);
    });
    return n;
  }();

  template <std::size_t K>
  struct chunk {
    static constexpr std::size_t first = K * chunk_nodes;
    static constexpr std::size_t count = n_dec - first < chunk_nodes ? n_dec - first : chunk_nodes;
    struct bytes_t {
      std::uint8_t bytes[count == 0 ? 1 : count * word_bytes];
    };
    static constexpr bytes_t make() noexcept {
      bytes_t out{};
      // Plain pointers and loops, for GCC's constexpr operation limit.
      const std::int32_t* left = Params::left;
      const std::int32_t* right = Params::right;
      const std::int32_t* leaf = Params::leaf;
      const std::uint32_t* ranks = rank.data();
      const std::uint32_t* nodes = node_of_rank.data();
      for (std::size_t d = first; d < first + count; ++d) {
        const auto i = static_cast<std::size_t>(nodes[d]);
        const auto r = static_cast<std::size_t>(right[i]);
        const bool ll = left[i + 1] < 0, rl = left[r] < 0;
        std::uint64_t ref = 0;
        if (ll && rl)
          ref = use_pairs ? pair_info.index_of_rank[d]
                          : static_cast<std::uint64_t>(leaf[i + 1]) | (static_cast<std::uint64_t>(leaf[r]) << row_bits);
        else if (ll) ref = static_cast<std::uint64_t>(leaf[i + 1]);
        else if (rl) ref = static_cast<std::uint64_t>(leaf[r]);
        else ref = static_cast<std::size_t>(ranks[r]) - d;
        const std::uint64_t word = static_cast<std::uint64_t>(Params::feature[i]) |
                                   (std::uint64_t{key_info.index_of_rank[d]} << key_shift) |
                                   (std::uint64_t{ll} << left_leaf_shift) | (std::uint64_t{rl} << right_leaf_shift) |
                                   (ref << ref_shift);
        for (std::size_t b = 0; b < word_bytes; ++b)
          out.bytes[(d - first) * word_bytes + b] = static_cast<std::uint8_t>(word >> (8 * b));
      }
      return out;
    }
    CTML_FLASH static constexpr bytes_t data = make();
  };
  template <std::size_t... K>
  static constexpr std::array<const std::uint8_t*, n_chunks> chunk_list(std::index_sequence<K...>) noexcept {
    return {chunk<K>::data.bytes...};
  }
  CTML_FLASH static constexpr std::array<const std::uint8_t*, n_chunks> chunks =
      chunk_list(std::make_index_sequence<n_chunks>{});
  static constexpr std::size_t node_bytes = []<std::size_t... K>(std::index_sequence<K...>) {
    return (sizeof(chunk<K>::data) + ...);
  }(std::make_index_sequence<n_chunks>{});

  static constexpr word_type load_word(std::size_t d) noexcept {
    const std::uint8_t* bytes;
    if constexpr (n_chunks == 1)
      bytes = chunk<0>::data.bytes + d * word_bytes;
    else
      bytes = flash_load(&chunks[d >> chunk_bits]) + (d & (chunk_nodes - 1)) * word_bytes;
    return [bytes]<std::size_t... B>(std::index_sequence<B...>) {
      return static_cast<word_type>(((static_cast<word_type>(flash_load(bytes + B)) << (8 * B)) | ...));
    }(std::make_index_sequence<word_bytes>{});
  }

  // Keys stored as narrow as their values allow.
  static constexpr bool keys_fit_16 = [] {
    if constexpr (std::is_signed_v<key_type>) {
      for (std::size_t i = 0; i < n_keys; ++i) {
        const auto k = static_cast<key_type>(key_info.values[i]);
        if (k < -32768 || k > 32767) return false;
      }
      return true;
    } else {
      return false;  // float bit patterns
    }
  }();
  using stored_key = std::conditional_t<keys_fit_16, std::int16_t, key_type>;
  CTML_FLASH static constexpr std::array<stored_key, n_keys> keys = [] {
    std::array<stored_key, n_keys> k{};
    for (std::size_t i = 0; i < n_keys; ++i) k[i] = static_cast<stored_key>(static_cast<key_type>(key_info.values[i]));
    return k;
  }();

  // Leaf-row pairs (left, right) of nodes whose children are both leaves.
  static constexpr std::size_t n_pair_entries = use_pairs ? n_pairs : 0;
  CTML_FLASH static constexpr std::array<row_type, 2 * n_pair_entries> pairs = [] {
    std::array<row_type, 2 * n_pair_entries> p{};
    for (std::size_t i = 0; i < n_pair_entries; ++i) {
      p[2 * i] = static_cast<row_type>(pair_info.values[i] & 0xffffffffu);
      p[2 * i + 1] = static_cast<row_type>(pair_info.values[i] >> 32);
    }
    return p;
  }();

  // Roots: a decision rank, or a leaf row with the top bit set (one-leaf trees).
  using root_type = uint_for<2 * (n_dec > Params::n_values ? n_dec : Params::n_values) + 1>;
  static constexpr root_type leaf_root = static_cast<root_type>(root_type{1} << (sizeof(root_type) * 8 - 1));
  CTML_FLASH static constexpr std::array<root_type, Params::n_trees> roots = [] {
    std::array<root_type, Params::n_trees> r{};
    for (std::size_t t = 0; t < Params::n_trees; ++t) {
      const auto n = static_cast<std::size_t>(Params::root[t]);
      r[t] = shape_t::is_leaf(n) ? static_cast<root_type>(leaf_root | static_cast<root_type>(Params::leaf[n]))
                                 : static_cast<root_type>(rank_of(n));
    }
    return r;
  }();

  template <class Votes>
  static constexpr void run(const input_type* x, Votes& votes) noexcept {
    constexpr word_type feature_mask = static_cast<word_type>((std::uint64_t{1} << feature_bits) - 1);
    constexpr word_type key_mask = static_cast<word_type>((std::uint64_t{1} << key_bits) - 1);
    constexpr word_type row_mask = static_cast<word_type>((std::uint64_t{1} << row_bits) - 1);
    for (std::size_t t = 0; t < Params::n_trees; ++t) {
      const root_type root = flash_load(&roots[t]);
      if (root & leaf_root) {
        votes.add(t, static_cast<std::size_t>(root & static_cast<root_type>(~leaf_root)));
        continue;
      }
      std::size_t d = root;
      for (;;) {
        const word_type w = load_word(d);
        const auto key = static_cast<key_type>(flash_load(&keys[(w >> key_shift) & key_mask]));
        const auto ref = static_cast<std::size_t>(w >> ref_shift);
        const bool left_leaf = (w >> left_leaf_shift) & 1u;
        const bool right_leaf = (w >> right_leaf_shift) & 1u;
        if (Rule::goes_left(x[w & feature_mask], key)) {
          if (!left_leaf) {
            ++d;
            continue;
          }
          if constexpr (use_pairs) votes.add(t, right_leaf ? flash_load(&pairs[2 * ref]) : ref);
          else votes.add(t, ref & row_mask);
        } else {
          if (!right_leaf) {
            d += left_leaf ? 1 : ref;
            continue;
          }
          if (!left_leaf) votes.add(t, ref);
          else if constexpr (use_pairs) votes.add(t, flash_load(&pairs[2 * ref + 1]));
          else votes.add(t, ref >> row_bits);
        }
        break;
      }
    }
  }

  static constexpr std::size_t data_bytes =
      node_bytes + (n_chunks > 1 ? sizeof(chunks) : 0) + sizeof(keys) + sizeof(pairs) + sizeof(roots);
  static constexpr std::size_t code_bytes = 0;  // counted with the votes: detail/code_size.hpp
  static constexpr bool compact = true;  // votes are read from 16-bit tables
};

}  // namespace ctml::trees
