#include "storage/sqlite/gathering_vfs.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "storage/sqlite/sqlite_db.hpp"

namespace tglead::storage::sqlite {
namespace {

class GatheringVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/tglead_gathering_vfs_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    TearDown();
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }

  static std::int64_t scalar(Db& db, const char* sql) {
    auto stmt = db.prepare_uncached(sql);
    EXPECT_TRUE(stmt.step()) << sql;
    return stmt.int64(0);
  }

  // Rows of ~600 bytes, so that a transaction spans many pages.
  static void insert_rows(Db& db, int first, int count) {
    for (int i = first; i < first + count; ++i) {
      db.prepare_uncached("INSERT INTO t (id, body) VALUES (?, replace(hex(zeroblob(300)), '0', char(97 + ? % 26)))")
          .bind_all(i, i)
          .run();
    }
  }

  std::string path_;
};

TEST_F(GatheringVfsTest, GatheredConnectionsSyncEveryCommit) {
  Db writer(path_, false, Writes::Gathered);
  EXPECT_EQ(scalar(writer, "PRAGMA synchronous"), 2);  // FULL: see gathering_vfs.hpp
  Db direct(path_ + "-direct.db", false);
  EXPECT_EQ(scalar(direct, "PRAGMA synchronous"), 1);
  std::remove((path_ + "-direct.db").c_str());
}

// Every commit is read back by a second connection while the writer keeps writing, through
// checkpoints (one of them held back by the reader's open snapshot), and a transaction larger than
// the writer's page cache, whose pages SQLite spills to the WAL and reads back before commit.
TEST_F(GatheringVfsTest, OtherConnectionsSeeEveryCommitAndTheFileStaysWhole) {
  {
    Db writer(path_, false, Writes::Gathered);
    writer.exec("PRAGMA wal_autocheckpoint=50; PRAGMA cache_size=20");
    writer.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    Db reader(path_, false);
    int rows = 0;
    for (int round = 0; round < 30; ++round) {
      writer.exec("BEGIN");
      insert_rows(writer, rows, 40 + round * 10);
      rows += 40 + round * 10;
      writer.exec("UPDATE t SET body = upper(body) WHERE id % 7 = 3");
      writer.exec("COMMIT");
      if (round % 5 == 0) {
        // An open snapshot stops the next checkpoints short of the WAL's end.
        reader.exec("BEGIN");
        EXPECT_EQ(scalar(reader, "SELECT count(*) FROM t"), rows);
        continue;
      }
      if (round % 5 == 1) reader.exec("COMMIT");
      EXPECT_EQ(scalar(reader, "SELECT count(*) FROM t"), rows) << "round " << round;
      EXPECT_EQ(scalar(reader, "SELECT count(*) FROM t WHERE id % 7 = 3 AND body GLOB '*[a-z]*'"), 0);
      EXPECT_EQ(scalar(reader, "SELECT sum(length(body)) FROM t"), std::int64_t{600} * rows);
    }
    writer.exec("BEGIN");
    insert_rows(writer, rows, 2000);  // ~300 pages through a 20-page cache
    writer.exec("DELETE FROM t WHERE id % 3 = 0");
    writer.exec("COMMIT");
    rows += 2000;
    EXPECT_EQ(scalar(reader, "SELECT count(*) FROM t"), rows - (rows + 2) / 3);
    writer.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  Db reopened(path_, false);
  auto check = reopened.prepare_uncached("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.text(0), "ok");
  EXPECT_EQ(scalar(reopened, "SELECT count(*) FROM t WHERE length(body) != 600"), 0);
}

TEST_F(GatheringVfsTest, RegistersOnce) {
  EXPECT_STREQ(gathering_vfs_name(), gathering_vfs_name());
  EXPECT_NE(sqlite3_vfs_find(gathering_vfs_name()), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(gathering_vfs_name()));  // not the default
}

}  // namespace
}  // namespace tglead::storage::sqlite
